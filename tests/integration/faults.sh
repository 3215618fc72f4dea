#!/bin/bash
# Driving the card from a test: the control socket and fault injection,
# through a real pcscd + vpcd (the card in --vpcd mode: removal closes the
# link, which only the listening vpcd survives; docs/design.md). Private
# mount + network namespace (scripts/pcscd-ns.sh); it stops what it starts.
#
#   tests/integration/faults.sh SIM PCSC_TEST
set -euo pipefail

sim=$(readlink -f "$1")
client=$(readlink -f "$2")
reader="Virtual PCD 00 00"

. "$(dirname "$0")/../../scripts/pcscd-ns.sh"
ns_enter "$0" "$@"
ns_setup

sim_pid=""
cleanup() {
	[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

export EUICC_SIM="$sim" EUICC_CTL="$work/ctl.sock"
. "$(dirname "$0")/lib.sh"
start_sim() {
	"$sim" -v --state "$work/state" --vpcd 127.0.0.1:35963 --control "$EUICC_CTL" "$@" \
		>> "$work/sim.log" 2>&1 &
	sim_pid=$!
	for _ in $(seq 50); do [ -S "$EUICC_CTL" ] && return 0; sleep 0.1; done
}
stop_sim() {
	kill -INT "$sim_pid"
	wait "$sim_pid" || true
	sim_pid=""
}

start_pcscd
start_sim
run_client faults
run_client remove
run_client mute
expect "the control socket is 0600" bash -c "[ \"\$(stat -c %a '$EUICC_CTL')\" = 600 ]"
expect "ctl status exits 0" "$sim" ctl --socket "$EUICC_CTL" status
expect "ctl exits 1 on a refused command" bash -c "! '$sim' ctl --socket '$EUICC_CTL' fault nonsense"
expect "ctl without a card fails" bash -c "! '$sim' ctl --socket '$work/none.sock' status"
expect "... and says why" bash -c "'$sim' ctl --socket '$work/none.sock' status 2>&1 | grep -q 'cannot reach'"
expect "fired faults are in the trace" grep -q "fault fired on STORE DATA / ES10b.PrepareDownload" "$work/sim.log"
stop_sim
expect "the control socket is gone after the stop" bash -c "[ ! -e '$EUICC_CTL' ]"

# Faults given at start (--fault) fire as those added later.
start_sim --fault "sw=6A82 on=SELECT nth=2"
expect "--fault is listed" bash -c "'$sim' ctl --socket '$EUICC_CTL' faults | grep -q 'sw=6A82 on=SELECT nth=2'"
expect "an invalid --fault stops the card" \
	bash -c "! '$sim' --no-state --vpcd 127.0.0.1:35964 --fault 'sw=12 on=SELECT'"
expect "... with a message" \
	bash -c "'$sim' --no-state --vpcd 127.0.0.1:35964 --fault 'sw=12 on=SELECT' 2>&1 | grep -q 'four hex digits'"
stop_sim

finish faults
