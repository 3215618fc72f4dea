#!/bin/bash
# 16 cards started by one command (scripts/euicc-cards), each answering
# GetEID with its own EID over PC/SC, found through cards.json (reader and
# pcscd socket), with nothing listening beyond loopback (reversed mode);
# then an odd number (a filler card takes the last slot). Runs in a private
# mount + network namespace; everything is stopped at the end.
#   tests/integration/cards.sh PCSC_TEST
set -euo pipefail
client=$(readlink -f "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${CARDS:-16}

. "$top/scripts/pcscd-ns.sh"
ns_enter "$0" "$@"
ns_setup
trap '"$top/scripts/euicc-cards" stop --dir "$work/cards" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

pass=0
fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

if "$top/scripts/euicc-cards" start "$n" --dir "$work/cards" > "$work/out.json" 2> "$work/err"; then
	ok "euicc-cards start $n"
else
	bad "euicc-cards start $n: $(tail -3 "$work/err")"
fi
json="$work/cards/cards.json"
[ -f "$json" ] && cmp -s "$json" "$work/out.json" && ok "cards.json written and printed" || bad "cards.json"

# reader and EID of each card, from the JSON
mapfile -t readers < <(grep -o '"reader": "[^"]*"' "$json" | sed 's/.*: "//; s/"$//')
mapfile -t socks < <(grep -o '"pcsc_socket": "[^"]*"' "$json" | sed 's/.*: "//; s/"$//')
mapfile -t eids < <(grep -o '"eid": "[^"]*"' "$json" | sed 's/.*: "//; s/"$//')
[ "${#readers[@]}" = "$n" ] && [ "${#eids[@]}" = "$n" ] && ok "$n cards listed" || bad "cards listed: ${#readers[@]}"
[ "$(printf '%s\n' "${eids[@]}" | sort -u | wc -l)" = "$n" ] && ok "$n distinct EIDs" || bad "EIDs not distinct"
for ((i = 0; i < ${#readers[@]}; i++)); do
	got=$(PCSCLITE_CSOCK_NAME="${socks[$i]}" "$client" "${readers[$i]}" eid | sed -n 's/^EID //p')
	if [ "$got" = "${eids[$i]}" ] && "$top/certs/mkpki" eid-check "$got"; then
		ok "${readers[$i]}: GetEID = ${eids[$i]} (valid check digits)"
	else
		bad "${readers[$i]}: GetEID '$got', JSON says ${eids[$i]}"
	fi
done
loopback_only() { ! ss -ltnH | awk '{ print $4 }' | grep -vE '^(127\.[0-9.]+|\[::1\]):[0-9]+$'; }
if loopback_only; then ok "nothing listens beyond loopback"; else bad "listeners beyond loopback: $(ss -ltnpH)"; fi
if ss -ltnpH | grep -q pcscd; then bad "a pcscd listens on TCP"; else ok "no pcscd listens on TCP (reversed mode)"; fi
"$top/scripts/euicc-cards" stop --dir "$work/cards"
if grep -q "out of range" "$work"/cards/pcscd-*.log; then bad "a pcscd aborted (vpcd lost a card)"; else ok "no pcscd aborted"; fi

# An odd number: the last pcscd's second slot gets a filler card.
if "$top/scripts/euicc-cards" start 3 --dir "$work/cards" > "$work/out3.json" 2> "$work/err3" &&
	[ "$(grep -c '"eid"' "$work/out3.json")" = 3 ] &&
	[ -n "$(PCSCLITE_CSOCK_NAME="$work/cards/pcscd-1/pcscd.comm" "$client" "euicc-sim 01 00 00" eid |
		sed -n 's/^EID //p')" ]; then
	ok "euicc-cards start 3 (third card answers beside the filler)"
else
	bad "euicc-cards start 3: $(tail -3 "$work/err3")"
fi
"$top/scripts/euicc-cards" stop --dir "$work/cards"
if pgrep -f "euicc-sim -v --config $work/cards" >/dev/null; then bad "cards still running after stop"; else ok "stop ends every card"; fi
if pgrep -f "pcscd -f -c $work/cards" >/dev/null; then bad "a pcscd still running after stop"; else ok "stop ends the pcscds it started"; fi
echo "cards: $pass passed, $fail failed"
[ "$fail" = 0 ]
