#!/bin/sh
# Run one libFuzzer target for a while on one core, or merge what it found.
#
#   scripts/fuzz-run.sh DIR NAME SECONDS   fuzz DIR/fuzz_NAME: new inputs in
#       DIR/corpus-NAME (tests/fuzz/NAME is read, not written), crashes in
#       DIR/artifacts-NAME/, the log in DIR/run-NAME.log; prints the totals
#   scripts/fuzz-run.sh DIR NAME merge     tests/fuzz/NAME becomes the smallest
#       set of inputs of tests/fuzz/NAME and DIR/corpus-NAME that covers all
#       they cover (libFuzzer -set_cover_merge=1, a greedy set cover: fewer
#       inputs than -merge=1, so the replay in make check stays short), plus
#       its regress-* inputs (findings)
set -eu
top=$(pwd)
case $1 in /*) dir=$1 ;; *) dir=$top/$1 ;; esac
name=$2
what=$3
bin=$dir/fuzz_$name
mkdir -p "$dir/corpus-$name" "$dir/artifacts-$name"
if [ "$what" = merge ]; then
	new=$dir/merged-$name
	rm -rf "$new"
	mkdir -p "$new"
	"$bin" -set_cover_merge=1 -rss_limit_mb=4096 "$new" "tests/fuzz/$name" "$dir/corpus-$name" \
		> "$dir/merge-$name.log" 2>&1 || { tail -20 "$dir/merge-$name.log"; exit 1; }
	before=$(find "tests/fuzz/$name" -type f | wc -l)
	# regression inputs (a finding each) stay, under their names
	find "tests/fuzz/$name" -name 'regress-*' -exec cp {} "$new/" \;
	rm -rf "tests/fuzz/$name"
	mv "$new" "tests/fuzz/$name"
	echo "fuzz_$name: $before inputs before, $(find "tests/fuzz/$name" -type f | wc -l) after the merge"
	exit 0
fi
# -jobs=1 runs the fuzzer in a child that writes fuzz-0.log in the current
# directory; run it from the artifacts directory.
cd "$dir/artifacts-$name"
rm -f fuzz-0.log
rc=0
"$bin" -max_total_time="$what" -max_len=65536 -rss_limit_mb=4096 -timeout=60 -print_final_stats=1 \
	-workers=1 -jobs=1 -artifact_prefix=./ "$dir/corpus-$name" "$top/tests/fuzz/$name" > /dev/null 2>&1 || rc=$?
cat fuzz-0.log >> "$dir/run-$name.log"
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' fuzz-0.log || true
ls crash-* leak-* timeout-* oom-* 2>/dev/null && echo "fuzz_$name: findings in $dir/artifacts-$name" || true
exit $rc
