#!/usr/bin/env bash
# mbench recovery client|server|both --quick: the recovery benchmark builds
# its namespaces, runs mcat, mnamed and its own link emulator, and removes
# everything. Checked: the JSON and CSV are well formed; every move gave a
# recovery above zero (client: one per move; server: one per connection;
# both: one per move, with q, w and the bound); no namespace, TUN device or
# temporary directory is left, also after Ctrl-C; usage errors exit 2; an
# ordinary user is refused. No timing thresholds: those are the benchmark's
# to report, not the test's to judge.
# Usage: mbench_recovery.sh MBENCH
set -euo pipefail
MBENCH=${1:?usage: mbench_recovery.sh MBENCH}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root python3
tb_require_exe "$MBENCH"

# Nothing of an mbench run PID may remain: namespaces mbench-PID-*, devices mbPID*.
expect_nothing_left() {
  local pid=$1
  if ip netns list | grep -q "^mbench-$pid-"; then tb_fail "namespaces of mbench $pid were left: $(ip netns list)"; fi
  if ip -o link show | grep -q ": mb$pid[a-z]"; then tb_fail "devices of mbench $pid were left"; fi
  if compgen -G "$TB_TMP/mbench-recovery.*" >/dev/null; then tb_fail "a temporary directory was left"; fi
}

# run_quick SCENARIO: mbench recovery SCENARIO --quick with JSON and CSV.
run_quick() {
  local scenario=$1 pid status=0
  TMPDIR=$TB_TMP timeout 90 "$MBENCH" recovery "$scenario" --quick --json "$TB_TMP/$scenario.json" \
    --csv "$TB_TMP/$scenario.csv" >"$TB_TMP/$scenario.table" 2>"$TB_TMP/$scenario.log" &
  pid=$!
  TB_PIDS+=("$pid")
  tb_wait_pid "$pid" || status=$?
  ((status == 0)) || tb_fail "mbench recovery $scenario --quick exited with status $status"
  expect_nothing_left "$pid"
  tb_say "mbench recovery $scenario --quick: done, nothing left behind"
  sed 's/^/    /' "$TB_TMP/$scenario.table"
}

# check_json SCENARIO: the report is well formed and every sample plausible.
check_json() {
  python3 - "$1" "$TB_TMP/$1.json" "$TB_TMP/$1.csv" <<'PY' || tb_fail "$1.json: $(head -c 800 "$TB_TMP/$1.json")"
import csv, json, math, sys
scenario, report = sys.argv[1], json.load(open(sys.argv[2]))
assert report["benchmark"] == "recovery-" + scenario and report["subject"] == "msocket", report["benchmark"]
settings, cases = report["settings"], report["samples"]["cases"]
moves = settings["moves"]
assert settings["quick"] is True and moves >= 1
def positive(values, count, what):
    assert len(values) == count, "%s: %d values, expected %d" % (what, len(values), count)
    assert all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in values), (what, values)
if scenario == "client":
    assert len(cases) == len(settings["rtt_ms"]) >= 1
    for c in cases:
        positive(c["recovery_ms"], moves, "client recovery_ms")
        positive(c["seen_ms"], moves, "client seen_ms")
elif scenario == "server":
    assert len(cases) == len(settings["rtt_ms"]) * len(settings["connections"]) >= 1
    for c in cases:
        positive(c["recovery_ms"], c["connections"] * moves, "server recovery_ms, one per connection and move")
        positive(c["seen_ms"], c["connections"] * moves, "server seen_ms, one per connection and move")
else:
    assert len(cases) == 2 * len(settings["rtt_ms"]) * len(settings["rho_ms"]) >= 2
    assert {c["watch"] for c in cases} == {False, True}
    for c in cases:
        for key in ("recovery_ms", "update_ms", "stats_recovery_ms"):
            positive(c[key], moves, "both " + key)
        assert len(c["after_registration_ms"]) == moves
        positive(c["lookup_ms"], len(c["lookup_ms"]), "both lookup_ms")
        bound = c["rtt_ms"] * 2 + (0 if c["watch"] else c["rho_ms"])
        assert c["bound_ms"] > bound, c
rows = report["measurements"]
assert rows and all(math.isfinite(r["value"]) and r["value"] > 0 for r in rows
                    if not r["key"].endswith("after_registration_p50") and not r["key"].endswith("after_registration_max"))
for r in rows:
    if r["baseline"] is not None:
        assert abs(r["ratio"] - r["value"] / r["baseline"]) < 1e-6 * max(1, r["ratio"]), r
assert any(r["unit"] == "RTT" for r in rows) or scenario == "both"
csv_rows = list(csv.DictReader(open(sys.argv[3])))
assert [r["key"] for r in csv_rows] == [r["key"] for r in rows]
print("%s.json: %d cases, %d rows; %s" % (scenario, len(cases), len(rows), report["notes"][-1]))
PY
}

run_quick client
check_json client
run_quick server
check_json server
run_quick both
check_json both

# Ctrl-C in the middle of a case: exit 130, and everything is removed.
TMPDIR=$TB_TMP timeout 60 "$MBENCH" recovery both --quick >/dev/null 2>"$TB_TMP/interrupted.log" &
pid=$!
TB_PIDS+=("$pid")
tb_wait_for_line "$TB_TMP/interrupted.log" '\[1/2\]' 30 || tb_fail "mbench recovery both did not start"
sleep 2  # into the case: namespaces, emulator, mnamed and both mcats are up
kill -INT "$pid"
status=0
tb_wait_pid "$pid" || status=$?
((status == 130)) || tb_fail "mbench recovery interrupted exited with status $status, expected 130"
grep -q 'interrupted; what it had set up is removed' "$TB_TMP/interrupted.log" || tb_fail "no word of the interruption"
expect_nothing_left "$pid"
tb_say "Ctrl-C: exit 130, namespaces, devices and files removed"

# Usage errors exit 2 and say what is wrong.
expect_usage_error() {
  local pattern=$1 status=0
  shift
  "$MBENCH" recovery "$@" >/dev/null 2>"$TB_TMP/usage.log" || status=$?
  ((status == 2)) || tb_fail "mbench recovery $* exited $status, expected 2"
  grep -qE -- "$pattern" "$TB_TMP/usage.log" || tb_fail "mbench recovery $*: no '$pattern' in: $(cat "$TB_TMP/usage.log")"
}
expect_usage_error 'give client, server or both' --quick
expect_usage_error "unknown recovery scenario 'sideways'" sideways
expect_usage_error '--connections is for mbench recovery server' client --connections 5
expect_usage_error '--rho is for mbench recovery both' server --rho 1
expect_usage_error '--rtt values must be from' client --rtt 20,0
tb_say "usage errors exit 2 and name the problem"

# An ordinary user is refused before anything is made (where that user can run mbench at all).
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if command -v setpriv >/dev/null 2>&1 && "${as_nobody[@]}" "$MBENCH" --help >/dev/null 2>&1; then
  status=0
  "${as_nobody[@]}" "$MBENCH" recovery client --quick >/dev/null 2>"$TB_TMP/nobody.log" || status=$?
  ((status == 1)) || tb_fail "mbench recovery as an ordinary user exited $status, expected 1"
  grep -q 'mbench recovery needs root' "$TB_TMP/nobody.log" || tb_fail "no clear error for an ordinary user"
  tb_say "an ordinary user is told that root is needed"
fi
tb_say "PASS"
