#!/bin/bash
# The card's APDU trace against what the PC/SC client exchanged.
#
#   tests/integration/trace-check.sh PCAP JSON CLIENT_LOG [LIVE_PCAP]
#
# CLIENT_LOG has a line "COMMAND SW" (hex) per APDU the client sent
# (pcsc-test with PCSC_TEST_APDU_LOG). The JSON trace must hold the same
# commands and status words, in order, with their names; the pcap, read
# back by tshark, the same count, instructions and status words as
# Wireshark's gsm_sim dissector decodes them, and the power events.
# LIVE_PCAP, a capture of the --gsmtap feed, must carry the same APDUs.
# Without tshark the pcap checks are skipped, and said so.
# Prints ok/FAIL lines, then "N passed, M failed".
set -uo pipefail

pcap=$1 json=$2 client=$3 live=${4:-}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; fail=$((fail + 1)); }
same() {	# same DESCRIPTION FILE_A FILE_B
	if cmp -s "$2" "$3"; then ok "$1"; else bad "$1" "$(diff "$2" "$3" | head -4 | tr '\n' ' ')"; fi
}
field() {	# field NAME < JSON lines: the value of "NAME":"..." or "NAME":n
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}
ins_of() { cut -c3-4 | tr 'A-F' 'a-f'; }	# the INS of a command in hex

n=$(wc -l < "$client")
[ "$n" -gt 20 ] && ok "the client logged $n APDUs" || bad "the client logged $n APDUs"

# ---- JSON ----------------------------------------------------------------------
grep '"dir":"cmd"' "$json" | field hex > "$tmp/json.cmd"
grep '"dir":"rsp"' "$json" | field sw > "$tmp/json.sw"
cut -d' ' -f1 "$client" > "$tmp/client.cmd"
cut -d' ' -f2 "$client" > "$tmp/client.sw"
same "JSON trace: every command, in order" "$tmp/client.cmd" "$tmp/json.cmd"
same "JSON trace: every status word, in order" "$tmp/client.sw" "$tmp/json.sw"
gr=$(ins_of < "$tmp/client.cmd" | grep -c '^c0$')
jgr=$(grep -c '"dir":"cmd".*"name":"GET RESPONSE"' "$json")
[ "$gr" -gt 0 ] && [ "$gr" = "$jgr" ] && ok "JSON trace names GET RESPONSE ($gr)" || bad "JSON GET RESPONSE" "$jgr of $gr"
for name in SELECT "MANAGE CHANNEL" "ES10c.GetEID" "ES10b.GetEUICCInfo2" "READ BINARY" "TERMINAL CAPABILITY" "INS FF"; do
	grep -q "\"dir\":\"cmd\".*\"name\":\"$name\"" "$json" && ok "JSON trace names $name" || bad "JSON trace names $name"
done
# a STORE DATA that completes an ES10 command is named by its function
grep -q '"dir":"cmd","ch":[1-3],"name":"ES10[abc]\.' "$json" && ok "JSON trace: ES10 functions on a logical channel" \
	|| bad "JSON trace: ES10 functions on a logical channel"
grep -q '"dir":"rsp".*"sw":"6D00","result":"instruction code not supported or invalid"' "$json" \
	&& ok "JSON trace: the result of a status word" || bad "JSON trace: the result of a status word"
grep -q '"event":"power-on"' "$json" && grep -q '"event":"atr","hex":"3B9E96008031E073FE211F66764555494343"' "$json" \
	&& ok "JSON trace: power on and the ATR" || bad "JSON trace: power on and the ATR"
grep -q '"event":"removed"' "$json" && ok "JSON trace: the card leaving the reader" || bad "JSON trace: removed"
grep -v -E '^\{"seq":[0-9]+,"t":[0-9]+\.[0-9]{6},.*\}$' "$json" > "$tmp/odd" &&
	bad "JSON trace: every line one object" "$(head -1 "$tmp/odd")" || ok "JSON trace: every line one object"

# ---- pcap through tshark ----------------------------------------------------------
if ! command -v tshark > /dev/null; then
	echo "skip the pcap read-back: tshark is not installed (scripts/deps.sh could not install it)"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
fi
ts() { tshark -n -r "$@" 2>/dev/null; }

ts "$pcap" -Y gsm_sim -T fields -E separator=' ' -e gsm_sim.apdu.ins -e gsm_sim.apdu.sw |
	sed 's/0x//g' > "$tmp/pcap.ins-sw"
paste -d' ' <(ins_of < "$tmp/client.cmd") <(tr 'A-F' 'a-f' < "$tmp/client.sw") > "$tmp/client.ins-sw"
count=$(wc -l < "$tmp/pcap.ins-sw")
[ "$count" = "$n" ] && ok "tshark -Y gsm_sim lists $count APDUs" || bad "tshark -Y gsm_sim lists $count APDUs, not $n"
same "tshark: each APDU's instruction and status word, in order" "$tmp/client.ins-sw" "$tmp/pcap.ins-sw"

ts "$pcap" -Y gsm_sim -T fields -e _ws.col.Info > "$tmp/info"
grep -q 'SELECT Application a0000005591010ffffffff8900000100' "$tmp/info" \
	&& ok "tshark decodes SELECT of the ISD-R" || bad "tshark decodes SELECT of the ISD-R"
for name in "MANAGE CHANNEL" "GET RESPONSE" "READ BINARY" "TERMINAL CAPABILITY" "SELECT File"; do
	grep -q "$name" "$tmp/info" && ok "tshark decodes $name" || bad "tshark decodes $name"
done
igr=$(grep -c 'GET RESPONSE' "$tmp/info")
[ "$igr" = "$gr" ] && ok "tshark: $gr GET RESPONSEs" || bad "tshark GET RESPONSE" "$igr of $gr"

# one record per event: Wireshark's frame number is the JSON "seq"
ts "$pcap" -Y gsm_sim -T fields -E separator=' ' -e frame.number -e gsm_sim.apdu.cla.log_chan > "$tmp/pcap.ch"
grep '"dir":"cmd"' "$json" | sed 's/^{"seq":\([0-9]*\),.*"ch":\([0-9]*\),.*/\1 \2/' > "$tmp/json.ch"
same "pcap and JSON agree on frame number and logical channel" "$tmp/json.ch" "$tmp/pcap.ch"

ts "$pcap" -Y gsmtap_log -T fields -e gsmtap_log.string > "$tmp/log"
grep -qx 'power on' "$tmp/log" && grep -qx 'ATR 3B9E96008031E073FE211F66764555494343' "$tmp/log" &&
	grep -qx 'card removed' "$tmp/log" && ok "tshark shows power on, the ATR and the removal as GSMTAP log lines" \
	|| bad "power events in the pcap" "$(tr '\n' ',' < "$tmp/log")"
all=$(ts "$pcap" | wc -l)
events=$(grep -c '"event"' "$json")
[ "$all" = $((n + events)) ] && ok "pcap: one record per APDU and power event ($all)" \
	|| bad "pcap records" "$all, not $n + $events"
[ "$(ts "$pcap" -Y '_ws.malformed || _ws.expert.severity >= error' | wc -l)" = 0 ] \
	&& ok "tshark finds nothing malformed" || bad "tshark finds malformed packets"
ts "$pcap" -T fields -e frame.time_epoch > "$tmp/times"
sort -c -g "$tmp/times" 2>/dev/null && ok "pcap timestamps never go back" || bad "pcap timestamps go back"

if [ -n "$live" ]; then
	ts "$live" -Y gsm_sim -T fields -E separator=' ' -e gsm_sim.apdu.ins -e gsm_sim.apdu.sw |
		sed 's/0x//g' > "$tmp/live.ins-sw"
	same "the live GSMTAP feed carried the same APDUs" "$tmp/pcap.ins-sw" "$tmp/live.ins-sw"
	ts "$live" -Y gsmtap_log -T fields -e gsmtap_log.string > "$tmp/live.log"
	same "... and the same power events" "$tmp/log" "$tmp/live.log"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
