#!/bin/sh
# Replay the committed fuzz corpora through their libFuzzer targets (no new
# mutations): every input must run without a sanitizer report or abort.
#
#   scripts/fuzz-replay.sh DIR NAME...   runs DIR/fuzz_NAME on tests/fuzz/NAME/
set -eu
dir=$1
shift
total=0
for name in "$@"; do
	corpus=tests/fuzz/$name
	log=$dir/replay-$name.log
	n=$(find "$corpus" -type f | wc -l)
	start=$(date +%s.%N)
	"$dir/fuzz_$name" -runs=0 -rss_limit_mb=4096 "$corpus" > "$log" 2>&1 || {
		tail -60 "$log"
		echo "fuzz replay: fuzz_$name FAILED on its corpus (log: $log)"
		exit 1
	}
	printf 'fuzz replay: fuzz_%-13s %5d inputs ran clean (%.1f s)\n' "$name" "$n" \
		"$(echo "$(date +%s.%N) - $start" | bc)"
	total=$((total + n))
done
echo "$total passed, 0 failed"
