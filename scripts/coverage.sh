#!/bin/sh
# Line coverage of the card reached by the fuzz corpora alone: replay each
# corpus through its target built with clang's source-based coverage
# (make coverage), merge the profiles, and print the share of lines run per
# folder of the card, then the total over those folders. sim/host/ (CLI,
# config, traces: what runs around the card) is not counted.
#
#   scripts/coverage.sh DIR NAME...   DIR/fuzz_NAME replays tests/fuzz/NAME/
set -eu
dir=$1
shift
prof=$dir/profiles
rm -rf "$prof"
mkdir -p "$prof"
objects=""
for name in "$@"; do
	LLVM_PROFILE_FILE="$prof/$name.profraw" "$dir/fuzz_$name" -runs=0 -rss_limit_mb=4096 \
		"tests/fuzz/$name" > "$prof/$name.log" 2>&1 || {
		tail -20 "$prof/$name.log"
		echo "coverage: fuzz_$name failed on its corpus"
		exit 1
	}
	objects="$objects -object=$dir/fuzz_$name"
done
llvm-profdata merge -sparse "$prof"/*.profraw -o "$dir/fuzz.profdata"
# shellcheck disable=SC2086
llvm-cov report -instr-profile="$dir/fuzz.profdata" $objects > "$dir/coverage.txt"
# Lines and missed lines are the 8th and 9th columns of each file's row.
awk '
$1 ~ /^(sim|ecasd|isdr|isdp|profiles)\// && $1 !~ /^sim\/host\// && NF >= 10 {
	split($1, p, "/"); f = p[1] "/"
	lines[f] += $8; missed[f] += $9
}
END {
	n = split("sim/ isdr/ ecasd/ isdp/ profiles/", order, " ")
	for (i = 1; i <= n; i++) {
		f = order[i]
		printf "%s %.1f%%\n", f, lines[f] ? 100 * (lines[f] - missed[f]) / lines[f] : 0
		counts = counts sprintf("%s %d of %d lines; ", f, lines[f] - missed[f], lines[f])
		all += lines[f]; run += lines[f] - missed[f]
	}
	printf "total %.1f%%\n", all ? 100 * run / all : 0
	printf "(%stotal %d of %d; per file: '"$dir"'/coverage.txt)\n", counts, run, all
}' "$dir/coverage.txt"
