#!/bin/bash
# Soak test (make soak): a private pcscd with a listening vpcd reader, as
# the integration test has (scripts/pcscd-ns.sh), and tests/soak/soak.c,
# which starts, restarts and stops the simulator itself.
#
#   tests/soak/run.sh SIM SOAK        SOAK_OPS, SOAK_SEED from the environment
set -euo pipefail

sim=$(readlink -f "$1")
soak=$(readlink -f "$2")

. "$(dirname "$0")/../../scripts/pcscd-ns.sh"
ns_enter "$0" "$@"
ns_setup

cleanup() {
	[ -n "$pcscd_pid" ] && kill "$pcscd_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

start_pcscd
rc=0
"$soak" "Virtual PCD 00 00" "$sim" "$work/state" "$work/sim.log" || rc=$?
if [ $rc != 0 ]; then
	echo "--- simulator log"
	tail -40 "$work/sim.log"
fi
exit $rc
