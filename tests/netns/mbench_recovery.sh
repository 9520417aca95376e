#!/usr/bin/env bash
# mbench recovery client|server|both --quick: the recovery benchmark builds
# its namespaces, runs mcat, mnamed and its own link emulator, and removes
# everything. Checked: the JSON and CSV are well formed; every move gave a
# recovery above zero (client: one per move; server: one per connection;
# both: one per move, with q, w and the bound), also through a relay
# (server --relay); with TCP Fast Open, a client move recovers in about one
# RTT; no namespace, TUN device or
# temporary directory is left, also after Ctrl-C; usage errors exit 2; an
# ordinary user is refused. No timing thresholds: those are the benchmark's
# to report, not the test's to judge.
# Usage: mbench_recovery.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
tb_require_root python3

# check_json NAME [SCENARIO] [RELAYED]: the report NAME.json is well formed
# and every sample plausible.
check_json() {
  test_check_report "$TEST_TMP/$1.json" "$TEST_TMP/$1.csv" "${2:-$1}" "${3:-False}" <<'PY'
scenario = arguments[0]
assert report["settings"]["relayed"] == (arguments[1] == "True"), report["settings"]
assert ("through mproxy in the router" in report["settings"]["testbed"]) == report["settings"]["relayed"]
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
assert [r["key"] for r in csv_rows] == [r["key"] for r in rows]
print("%s.json: %d cases, %d rows; %s" % (scenario, len(cases), len(rows), report["notes"][-1]))
PY
}

for scenario in client server both; do
  tb_run_mbench_quick "$scenario" 90 recovery "$scenario"
  check_json "$scenario"
done
# Through a relay (mproxy in the router): the server moves, its clients'
# flowpaths through the relay are renewed.
tb_run_mbench_quick server-relayed 90 recovery server --relay
check_json server-relayed server True
# TCP Fast Open allowed at the server: the MIGRATE rides in the SYN, so a
# client move costs one round trip. Without it no recovery can take less
# than two (the handshake, then the MIGRATE exchange): every one under 1.5
# RTT (300 ms of RTT 200 ms) means the SETUP went with the SYN.
tb_run_mbench_quick client-fast-open 90 recovery client --fast-open --rtt 200
check_json client-fast-open client
python3 - "$TEST_TMP/client-fast-open.json" <<'PY' || test_fail "a recovery took two round trips: the MIGRATE did not ride in the SYN"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["settings"]["fast_open"] is True
values = [v for c in report["samples"]["cases"] for v in c["recovery_ms"]]
print("    fast open: recovery %s ms at RTT 200 ms" % ", ".join("%.1f" % v for v in values))
sys.exit(0 if values and max(values) < 300 else 1)
PY

# Ctrl-C in the middle of a case (two seconds into it: namespaces, emulator,
# mnamed and both mcats are up): exit 130, and everything is removed.
tb_expect_mbench_interrupted '\[1/2\]' 2 recovery both --quick
test_expect_grep "$TEST_TMP/interrupted.log" 'interrupted; what it had set up is removed' "no word of the interruption"

# Usage errors exit 2 and say what is wrong.
expect_usage_error() { test_expect_usage_error "$1" "$MBENCH" recovery "${@:2}"; }
expect_usage_error 'give client, server or both' --quick
expect_usage_error "unknown recovery scenario 'sideways'" sideways
expect_usage_error '--connections is for mbench recovery server' client --connections 5
expect_usage_error '--rho is for mbench recovery both' server --rho 1
expect_usage_error '--rtt values must be from' client --rtt 20,0
expect_usage_error '--relay is for mbench recovery client and server' both --relay
expect_usage_error '--mproxy goes with --relay' client --mproxy /bin/true
test_say "usage errors exit 2 and name the problem"

# An ordinary user is refused before anything is made (where that user can run mbench at all).
if test_nobody_can_run "$MBENCH"; then
  test_run nobody 1 10 "${TEST_AS_NOBODY[@]}" "$MBENCH" recovery client --quick
  test_expect_grep "$TEST_TMP/nobody.log" 'mbench recovery needs root' "an ordinary user's error"
  test_say "an ordinary user is told that root is needed"
fi
test_say "PASS"
