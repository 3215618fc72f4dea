#!/bin/bash
# The LPA conformance report through a real pcscd + vpcd: an LPA that
# follows every rule makes every rule pass, one that breaks each rule once
# makes every rule fail; `ctl report` while the card runs; --report and
# --junit written when it stops, the JUnit XML parsed and checked as a CI
# system reads it. Private mount + network namespace (scripts/pcscd-ns.sh);
# it stops what it starts.
#
#   tests/integration/report.sh SIM PCSC_TEST
set -euo pipefail

sim=$(readlink -f "$1")
client=$(readlink -f "$2")
reader="Virtual PCD 00 00"
here=$(dirname "$(readlink -f "$0")")

. "$here/../../scripts/pcscd-ns.sh"
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
. "$here/lib.sh"
start_sim() {	# start_sim NAME: a fresh card writing $work/NAME.json and NAME.xml
	rm -rf "$work/state"
	"$sim" -v --state "$work/state" --vpcd 127.0.0.1:35963 --control "$EUICC_CTL" \
		--report "$work/$1.json" --junit "$work/$1.xml" >> "$work/sim.log" 2>&1 &
	sim_pid=$!
	for _ in $(seq 50); do [ -S "$EUICC_CTL" ] && return 0; sleep 0.1; done
}
stop_sim() {
	local rc=0
	kill -INT "$sim_pid"
	wait "$sim_pid" || rc=$?
	sim_pid=""
	return $rc
}

# verdicts FILE WANT: every rule of the JSON report has verdict WANT, with
# evidence for each failure; the summary adds up.
verdicts() {
	python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = sys.argv[2]
ids = [x["id"] for x in r["rules"]]
assert len(ids) >= 15 and len(set(ids)) == len(ids), ids
bad = [(x["id"], x["verdict"]) for x in r["rules"] if x["verdict"] != want]
assert not bad, bad
for x in r["rules"]:
    assert x["statement"] and x["clause"] and x["basis"], x["id"]
    if x["verdict"] == "fail":
        assert x["evidence"] and all("finding" in e and "session" in e for e in x["evidence"]), x
s = r["summary"]
assert s["rules"] == len(ids) and s[want] == len(ids) and s["verdict"] == want, s
assert r["final"] is True and r["sessions"], r["sessions"]
PY
}

# junit FILE WANT: well-formed XML (minidom) in the common JUnit layout:
# testsuites > testsuite > testcase (classname, name), a failure with type
# and message where a rule failed, counts that agree.
junit() {
	python3 - "$1" "$2" <<'PY'
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
want = sys.argv[2]
root = doc.documentElement
assert root.tagName == "testsuites", root.tagName
suites = root.getElementsByTagName("testsuite")
assert len(suites) == 1
suite = suites[0]
cases = suite.getElementsByTagName("testcase")
fails = suite.getElementsByTagName("failure")
skips = suite.getElementsByTagName("skipped")
assert int(suite.getAttribute("tests")) == len(cases) == int(root.getAttribute("tests")) >= 15
assert int(suite.getAttribute("failures")) == len(fails) == int(root.getAttribute("failures"))
assert int(suite.getAttribute("skipped")) == len(skips)
assert suite.getAttribute("errors") == "0" and suite.getAttribute("timestamp")
for c in cases:
    assert c.getAttribute("classname").startswith("lpa.") and c.getAttribute("name"), c.toxml()
    assert c.parentNode is suite
for f in fails:
    assert f.getAttribute("type") and f.getAttribute("message") and f.firstChild, f.toxml()
assert len(fails) == (len(cases) if want == "fail" else 0), len(fails)
PY
}

start_pcscd

# An LPA that follows every rule.
start_sim good
run_client report-good
expect "ctl report answers the report so far" \
	bash -c "'$sim' ctl --socket '$EUICC_CTL' report > '$work/live.json'"
expect "... as JSON, not final, every rule judged so far passing" python3 -c "
import json; a = json.load(open('$work/live.json')); r = a['report']
assert a['ok'] is True and r['final'] is False, a
assert all(x['verdict'] == 'pass' for x in r['rules']), [(x['id'], x['verdict']) for x in r['rules']]"
expect "SIGINT stops the card (exit 0) and it writes the report" stop_sim
expect "... and says so" grep -q "LPA conformance report written: $work/good.json $work/good.xml" "$work/sim.log"
expect "every rule passes (JSON report)" verdicts "$work/good.json" pass
expect "the JUnit XML parses and has no failure" junit "$work/good.xml" pass

# An LPA that breaks each rule once.
start_sim bad
run_client report-bad
expect "SIGINT stops the card (exit 0)" stop_sim
expect "every rule fails (JSON report)" verdicts "$work/bad.json" fail
expect "the JUnit XML parses and has one failure per rule" junit "$work/bad.xml" fail
expect "the evidence names APDUs by the trace's numbers" python3 -c "
import json; r = json.load(open('$work/bad.json'))
e = [e for x in r['rules'] for e in x['evidence'] if 'apdu' in e]
assert e and all(1 <= x['apdu'] <= r['summary']['events'] for x in e)"

# Without --report or --junit there is no report to ask for.
"$sim" --state "$work/plain" --vpcd 127.0.0.1:35963 --control "$EUICC_CTL" >> "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 50); do [ -S "$EUICC_CTL" ] && break; sleep 0.1; done
expect "ctl report without --report is refused, saying why" \
	bash -c "out=\$('$sim' ctl --socket '$EUICC_CTL' report); [ \$? = 1 ] && echo \"\$out\" | grep -q -- '--report FILE'"
stop_sim || true
expect "a report path that cannot be written stops the card at once" \
	bash -c "! timeout 5 '$sim' --no-state --vpcd 127.0.0.1:35964 --report /nonexistent/r.json"

finish report
