#!/bin/bash
# Integration test through a real pcscd + vpcd: starts its own pcscd in a
# private mount and network namespace (so it neither sees nor disturbs a
# pcscd or card already running on this machine), then the simulator, then
# drives it with the C PC/SC client. Everything it starts, it stops.
#
#   tests/integration/run.sh SIM PCSC_TEST
set -euo pipefail

sim=$(readlink -f "$1")
client=$(readlink -f "$2")
reader="Virtual PCD 00 00"

. "$(dirname "$0")/../../scripts/pcscd-ns.sh"
ns_enter "$0" "$@"
ns_setup

sim_pid=""
capture_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
	[ -n "$capture_pid" ] && kill "$capture_pid" 2>/dev/null || true
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

start_sim() {	# start_sim [MORE OPTIONS]
	"$sim" ${SIM_TRACE:--v} --state "$work/state" --vpcd 127.0.0.1:35963 "$@" >> "$work/sim.log" 2>&1 &
	sim_pid=$!
}

stop_sim() {
	kill -INT "$sim_pid"
	local rc=0
	wait "$sim_pid" || rc=$?
	sim_pid=""
	return $rc
}

. "$(dirname "$0")/lib.sh"

# The APDU trace: tshark captures the live GSMTAP feed on loopback, if
# it can; trace-check.sh reads the pcap back.
live=""
start_capture() {
	command -v tshark > /dev/null || return 0
	tshark -n -i lo -f "udp port 4729" -w "$work/live.pcap" > "$work/capture.log" 2>&1 &
	capture_pid=$!
	for _ in $(seq 100); do
		grep -q "Capturing on" "$work/capture.log" && live="$work/live.pcap" && return 0
		sleep 0.1
	done
	echo "note: the live GSMTAP feed is not checked: tshark cannot capture on lo here"
	tail -2 "$work/capture.log"
}
stop_capture() {
	[ -n "$capture_pid" ] || return 0
	sleep 0.5
	kill -INT "$capture_pid"
	wait "$capture_pid" 2>/dev/null || true
	capture_pid=""
}
# Written per event: while the card runs, the pcap lists every APDU so far.
pcap_lists() {	# pcap_lists N
	for _ in $(seq 20); do
		cp "$work/trace.pcap" "$work/now.pcap"
		[ "$(tshark -n -r "$work/now.pcap" -Y gsm_sim 2>/dev/null | wc -l)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

start_pcscd
start_capture
start_sim --pcap "$work/trace.pcap" --trace-json "$work/trace.json" --gsmtap 127.0.0.1
PCSC_TEST_APDU_LOG="$work/apdus.log" run_client first
if command -v tshark > /dev/null; then
	expect "the pcap can be read while the card runs, up to the last APDU" \
		pcap_lists "$(wc -l < "$work/apdus.log")"
fi
run_client t1

# The card comes back with its state after a restart.
expect "SIGINT stops the simulator cleanly (exit 0)" stop_sim
expect "the simulator said it stopped" grep -q "euicc-sim: stopped" "$work/sim.log"
stop_capture
run_checks "$(dirname "$0")/trace-check.sh" "$work/trace.pcap" "$work/trace.json" "$work/apdus.log" ${live:+"$live"}
run_client absent

start_sim
run_client again
# Every TS.48 package through the test SM-DP+, on both curves.
ts48="$(dirname "$0")/../../profiles/ts48"
run_client download NIST "$ts48"/*.der
run_client download BRP "$ts48"/*.der
# Each package downloaded and enabled: AUTHENTICATE on its USIM and ISIM
# against osmo-auc-gen (the independent AuC) from the K/OPc the package has.
run_client aka "$sim" "$ts48"/*.der
expect "SIGINT stops the simulator" stop_sim
run_client absent

# Two profiles side-loaded (no SM-DP+) while the card is off; managed; and
# what must survive a restart.
for p in TS48V2-SAIP2-1-BERTLV-UNIQUE TS48V2-SAIP2-3-BERTLV-UNIQUE; do
	expect "sideload $p" "$sim" sideload "$ts48/$p.der" --state "$work/state" --notify smdp.example.com
done
start_sim
run_client lifecycle
expect "SIGINT stops the simulator" stop_sim
run_client absent
start_sim
run_client lifecycle-again

# The enabled profile's files and PINs: written, across disable/enable, and
# across a restart.
expect "SIGINT stops the simulator" stop_sim
run_client absent
suci="$ts48/TS48V5-SAIP2-3-BERTLV-SUCI-UNIQUE.der"
expect "sideload and enable $(basename "$suci")" "$sim" sideload "$suci" --state "$work/state" --enable
start_sim
run_client usim-write
expect "SIGINT stops the simulator" stop_sim
run_client absent
start_sim
run_client usim-check

# kill -9 between AUTHENTICATE and its answer: the test hook kills the card
# right after its first state write (the accepted SQN), before it answers.
# After a restart the same AUTN must be refused (AUTS), never accepted twice.
expect "SIGINT stops the simulator" stop_sim
run_client absent
EUICC_SIM_TEST_DIE_AFTER_SAVE=1 start_sim
run_client aka-die "$sim" "$suci"
die_rc=0
wait "$sim_pid" || die_rc=$?
sim_pid=""
expect "the card was killed by SIGKILL (exit status 137)" test "$die_rc" = 137
expect "... by the test hook, after the state write" grep -q "killed after that write" "$work/sim.log"
run_client absent
# vpcd's driver, left with a card that vanished inside a command, misses a
# card that comes back at once (it never powers it on); a second later it
# does not.
sleep 1
start_sim
run_client aka-replay "$sim" "$suci"

# pcscd goes away and comes back: the simulator reconnects by itself.
kill "$pcscd_pid"
wait "$pcscd_pid" 2>/dev/null || true
sleep 0.5
start_pcscd
run_client again
expect "the simulator reconnected after a pcscd restart" \
	bash -c "grep -c 'card inserted' '$work/sim.log' | grep -qv '^[01]$'"
expect "the trace names each ES10 command" grep -q "ES10c.GetEID -> 9000" "$work/sim.log"

# A second simulator on the same state directory is refused.
expect "a second card on the same state directory is refused" \
	bash -c "! timeout 5 '$sim' --state '$work/state' --vpcd 127.0.0.1:35964 2>'$work/second.log'"
expect "... with a message saying why" grep -q "in use by another euicc-sim" "$work/second.log"

expect "SIGTERM stops the simulator" bash -c "kill -TERM $sim_pid && wait $sim_pid 2>/dev/null; true"
finish integration
