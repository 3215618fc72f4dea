#!/bin/bash
# How lpac.txt and pysim.txt were captured (2026-12-03): the card with -vv
# in a private pcscd (scripts/pcscd-ns.sh), driven by lpac (with
# osmo-smdpp for the download) and pySim-shell. The three tools are not
# part of this project: `lpac`, `pySim-shell` and `osmo-smdpp` (a wrapper
# that starts pySim's osmo-smdpp.py on 127.0.0.1:443, run in
# $SMDPP_WORKDIR, a pySim checkout) must be on PATH, with lpac's
# LPAC_APDU=pcsc and LPAC_HTTP=curl set.
# Prints the reassembled STORE DATA payloads, one "function hex" per line.
#
#   sudo tests/vectors/es10-requests/capture.sh build/euicc-sim OUTDIR
set -u
sim=$(readlink -f "${1:?euicc-sim binary}")
out=$(readlink -f "${2:?output folder}")
. "$(dirname "$(readlink -f "$0")")/../../../scripts/pcscd-ns.sh"
ns_enter "$0" "$@"
for tool in lpac pySim-shell osmo-smdpp; do
	command -v "$tool" > /dev/null || { echo "capture.sh: $tool is not on PATH" >&2; exit 1; }
done
ns_setup
start_pcscd
pids=("$pcscd_pid")
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
osmo-smdpp > "$work/smdpp.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do ss -ltn | grep -q '127.0.0.1:443 ' && break; sleep 1; done

"$sim" --no-state -vv > "$out/card-lpac.log" 2>&1 & card=$!
pids+=("$card")
sleep 2
for cmd in "chip info" "profile list" "chip defaultsmdp testsmdpplus1.example.com" \
	"profile download -s testsmdpplus1.example.com -m TS48V2-SAIP2-1-BERTLV-UNIQUE" \
	"notification list" "profile enable 8949449999999990049" \
	"profile nickname 8949449999999990049 test" "profile disable 8949449999999990049" \
	"notification process -a -r" "profile delete 8949449999999990049" \
	"notification remove -a" "chip purge yes"; do
	# shellcheck disable=SC2086
	lpac $cmd >> "$out/lpac.out" 2>&1
done
kill "$card"; wait "$card" 2>/dev/null; sleep 1

"$sim" --no-state -vv > "$out/card-pysim.log" 2>&1 & card=$!
pids+=("$card")
sleep 2
lpac profile download -s testsmdpplus1.example.com -m TS48V2-SAIP2-1-BERTLV-UNIQUE >> "$out/lpac.out" 2>&1
printf '%s\n' "select ADF.ISD-R" get_euicc_configured_addresses \
	"set_default_dp_address testsmdpplus1.example.com" get_euicc_challenge get_euicc_info1 \
	get_euicc_info2 list_notification get_profiles_info "get_profiles_info --all" get_eid \
	"enable_profile --iccid 8949449999999990049" \
	"set_nickname --profile-nickname pysim 8949449999999990049" \
	"disable_profile --iccid 8949449999999990049" "remove_notification_from_list 1" \
	"delete_profile --isdp-aid a0000005591010ffffffff8900001000" \
	"euicc_memory_reset --reset-smdp-address" quit > "$work/pysim.script"
timeout 300 pySim-shell -p 0 --noprompt --script "$work/pysim.script" > "$out/pysim.out" 2>&1
kill "$card"; wait "$card" 2>/dev/null

# STORE DATA blocks (P1 11 ... 91) joined; named by the trace line after.
for log in card-lpac card-pysim; do
	python3 - "$out/$log.log" > "$out/$log.requests" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
buf = b''
for i, l in enumerate(lines):
    m = re.match(r'C-APDU [0-9A-F]{2}E2(11|91)[0-9A-F]{2}([0-9A-F]{2})([0-9A-F]*)$', l)
    if not m:
        continue
    buf += bytes.fromhex(m.group(3))[:int(m.group(2), 16)]
    if m.group(1) == '91':
        name = next((re.match(r'(ES10[abc]\.\w+|ES10 tag \w+)', n).group(1) for n in lines[i + 1:i + 6]
                     if re.match(r'(ES10[abc]\.\w+|ES10 tag \w+)', n)), 'BPP piece')
        print(name, buf.hex().upper())
        buf = b''
PY
done
