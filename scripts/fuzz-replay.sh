#!/bin/sh
# Replay the committed fuzz corpus through the libFuzzer target (no new
# mutations): every input must run without a sanitizer report.
set -eu
fuzz=$1
corpus=$2
n=$(find "$corpus" -type f | wc -l)
"$fuzz" -runs=0 "$corpus" > build/fuzz-replay.log 2>&1 || {
	cat build/fuzz-replay.log
	echo "fuzz replay: FAILED"
	exit 1
}
echo "fuzz replay: $n corpus inputs ran clean"
echo "$n passed, 0 failed"
