#!/bin/bash
# Reversed mode (euicc-sim --listen) through a real pcscd whose vpcd
# connects to the cards on 127.0.0.1 (reader.conf DEVICENAME
# 127.0.0.1:0x8C7B): connect, a second connection refused, pcscd killed
# and started again, and a client in another network namespace that cannot
# reach the card. Private mount + network namespace (scripts/pcscd-ns.sh);
# everything it starts, it stops.
#
#   tests/integration/listen.sh SIM PCSC_TEST
set -euo pipefail

sim=$(readlink -f "$1")
client=$(readlink -f "$2")
reader="Virtual PCD 00 00"

. "$(dirname "$0")/../../scripts/pcscd-ns.sh"
ns_enter "$0" "$@"
ns_setup
vpcd_reversed

peer=euicc-peer
card_a=""
card_b=""
ctl=""
cleanup() {
	# pcscd first: Debian's vpcd aborts pcscd when a card goes away
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null && wait "$pcscd_pid" 2>/dev/null || true
	for p in $card_a $card_b $ctl; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	ip netns del "$peer" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "$0")/lib.sh"
refused() {	# refused EXIT_CODE MESSAGE COMMAND...: fails with that code and says why
	local want=$1 msg=$2 rc=0
	shift 2
	"$@" > "$work/refused.out" 2>&1 || rc=$?
	[ "$rc" = "$want" ] && grep -q -- "$msg" "$work/refused.out"
}

# The command line and the config file keep the two modes apart.
expect "--listen with --vpcd is refused" \
	refused 2 "exclude each other" "$sim" --no-state --listen 35963 --vpcd 127.0.0.1:35963
printf 'vpcd = 127.0.0.1:35963\nlisten = 127.0.0.1:35963\n' > "$work/both.conf"
expect "a config file with vpcd and listen is refused" \
	refused 2 "exclude each other" "$sim" --no-state --config "$work/both.conf"
expect "--listen needs a port" refused 2 "expected \[HOST:\]PORT" "$sim" --no-state --listen 127.0.0.1:

# Both slots of the vpcd entry get a card, listening before pcscd starts.
"$sim" -v --state "$work/state" --listen 127.0.0.1:35963 > "$work/a.log" 2>&1 &
card_a=$!
"$sim" --no-state --listen 35964 > "$work/b.log" 2>&1 &	# default host 127.0.0.1
card_b=$!
expect "both cards listen (35963, 35964)" wait_listening 35963 35964
expect "a port in use is refused (exit 1, says why)" \
	refused 1 "cannot listen on 127.0.0.1:35963" "$sim" --no-state --listen 127.0.0.1:35963
start_pcscd

expect "vpcd connected to the listening card: a card in '$reader'" "$client" "$reader" present 10
expect "the card works (information functions, SetDefaultDpAddress)" "$client" "$reader" first
expect "the second slot's card answers GetEID" "$client" "Virtual PCD 00 01" eid
loopback_only() { ! ss -ltnH | awk '{ print $4 }' | grep -vE '^(127\.[0-9.]+|\[::1\]):[0-9]+$'; }
expect "nothing listens beyond loopback" loopback_only
expect "pcscd has no listening TCP socket" bash -c "! ss -ltnpH | grep -q pcscd"

# One vpcd at a time: a second connection is closed at once and logged,
# and the reader goes on working.
second() {
	local got
	exec 3<>/dev/tcp/127.0.0.1/35963
	got=$(timeout 5 head -c 1 <&3 | od -An -tx1)
	exec 3<&-
	[ -z "$got" ]
}
expect "a second connection is refused (closed at once)" second
expect "... and logged" grep -q "refused: a reader is already connected" "$work/a.log"
expect "the reader still works after the refusal" "$client" "$reader" again

# pcscd goes away (SIGTERM, then SIGKILL) and comes back with the same
# command line: its vpcd finds the card again.
for sig in TERM KILL; do
	kill -"$sig" "$pcscd_pid"
	wait "$pcscd_pid" 2>/dev/null || true
	start_pcscd
	expect "after pcscd SIG$sig and a restart the card is back within 10 s" \
		"$client" "$reader" present 10
	expect "... and answers (state kept)" "$client" "$reader" again
done
expect "the card logged each vpcd going and coming" \
	bash -c "[ \$(grep -c 'card inserted' '$work/a.log') = 3 ] &&
		 [ \$(grep -c 'reader went away' '$work/a.log') = 2 ]"

# Another network namespace, linked by a veth pair, cannot reach the cards;
# a card told to listen on 0.0.0.0 shows that the link works.
ip netns add "$peer"
ip link add euicc-h type veth peer name euicc-p netns "$peer"
ip addr add 10.253.0.1/24 dev euicc-h
ip link set euicc-h up
ip -n "$peer" addr add 10.253.0.2/24 dev euicc-p
ip -n "$peer" link set euicc-p up
ip -n "$peer" link set lo up
"$sim" --no-state --listen 0.0.0.0:36100 > "$work/ctl.log" 2>&1 &
ctl=$!
wait_listening 36100
peer_connect() { ip netns exec "$peer" timeout 5 bash -c "exec 3<>/dev/tcp/10.253.0.1/$1"; }
peer_cannot() { ! peer_connect "$1"; }
expect "control: the peer namespace reaches a card on 0.0.0.0" peer_connect 36100
expect "... which warned that it is not on loopback" grep -q "not a loopback address" "$work/ctl.log"
expect "the peer namespace cannot reach the card on 127.0.0.1:35963" peer_cannot 35963
expect "... nor the one on 127.0.0.1:35964" peer_cannot 35964
expect "the card still works" "$client" "$reader" again
kill "$ctl"
wait "$ctl" || true
ctl=""

# Stop: pcscd first, then the cards (SIGINT and SIGTERM, exit 0).
kill "$pcscd_pid"
wait "$pcscd_pid" 2>/dev/null || true
pcscd_pid=""
stop_card() {	# stop_card SIGNAL PID
	kill -"$1" "$2"
	wait "$2"
}
expect "SIGINT stops the card waiting for vpcd (exit 0)" stop_card INT "$card_a"
card_a=""
expect "SIGTERM stops the other one (exit 0)" stop_card TERM "$card_b"
card_b=""
expect "the card said it stopped" grep -q "euicc-sim: stopped" "$work/a.log"

cp "$work/a.log" "$work/sim.log" 2>/dev/null || true
finish listen
