# Sourced by the integration tests: counting checks.
#   run_checks PROG...   a program that prints ok/FAIL lines and "N passed, M failed"
#   run_client ARGS...   the C PC/SC client ($client on $reader); adds its counts
#   expect WHAT CMD...   CMD must succeed
#   finish NAME          prints "NAME: P passed, F failed"; fails when F > 0
total_pass=0
total_fail=0

run_checks() {	# run_checks PROGRAM...: it prints ok/FAIL lines, then "N passed, M failed"
	local out rc=0 p f
	out=$("$@") || rc=$?
	echo "$out" | grep -v '^[0-9]* passed' || true
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	total_pass=$((total_pass + ${p:-0}))
	total_fail=$((total_fail + ${f:-1}))
	[ $rc = 0 ] || [ "${f:-1}" != 0 ] || total_fail=$((total_fail + 1))
}

run_client() {
	run_checks "$client" "$reader" "$@"
}

expect() {	# no subshell: the command may be a function that changes our state
	local what=$1
	shift
	if "$@" > "$work/expect.out" 2>&1; then
		echo "ok   $what"
		total_pass=$((total_pass + 1))
	else
		echo "FAIL $what"
		tail -5 "$work/expect.out" | sed 's/^/     /'
		total_fail=$((total_fail + 1))
	fi
}

finish() {
	if [ "$total_fail" != 0 ] || [ -n "${SIM_TRACE:-}" ]; then
		echo "--- simulator log"; tail -"${SIM_LOG_LINES:-50}" "$work/sim.log" 2>/dev/null || true
	fi
	echo "$1: $total_pass passed, $total_fail failed"
	[ "$total_fail" = 0 ]
}
