#!/bin/bash
# make bench: mean APDU round trip of the simulator against a do-nothing
# vpcd card (the floor of pcscd + vpcd + loopback), over one private pcscd.
#   scripts/bench.sh SIM NULL_CARD
set -euo pipefail
sim=$(readlink -f "$1")
null=$(readlink -f "$2")
client=$(readlink -f "$(dirname "$sim")/pcsc-test")
n=${BENCH_APDUS:-2000}

. "$(dirname "$0")/pcscd-ns.sh"
ns_enter "$0" "$@"
ns_setup
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

start_pcscd
"$sim" --no-state --vpcd 127.0.0.1:35963 2> "$work/sim.log" &
"$null" 127.0.0.1 35964 &

"$client" "Virtual PCD 00 00" bench 200 > /dev/null	# warm-up
"$client" "Virtual PCD 00 01" bench 200 > /dev/null
sim_us=$("$client" "Virtual PCD 00 00" bench "$n" | tail -1)
null_us=$("$client" "Virtual PCD 00 01" bench "$n" | tail -1)
ratio=$(awk -v a="$sim_us" -v b="$null_us" 'BEGIN { printf "%.2f", a / b }')
echo "APDU round trip over pcscd + vpcd, mean of $n (ES10c.GetEID via STORE DATA):"
printf '  euicc-sim          %8.1f us\n' "$sim_us"
printf '  do-nothing card    %8.1f us\n' "$null_us"
echo "  ratio              $ratio   (target <= 1.2)"
dl=$(awk -v a="$sim_us" 'BEGIN { printf "%.1f", a * 150 / 1000 }')
echo "  => transport cost of a ~150-APDU download: $dl ms"

# A whole download over PC/SC, as the LPA sees it.
big=$(ls -S "$(dirname "$0")/../profiles/ts48/"*.der | head -1)
for curve in NIST BRP; do
	ms=$("$client" "Virtual PCD 00 00" bench-download $curve "$big" 10 | tail -1)
	printf '  full download over PC/SC, %-4s %8s ms  (%s; card + pcscd/vpcd + test SM-DP+)\n' \
		"$curve" "$ms" "$(basename "$big")"
done
