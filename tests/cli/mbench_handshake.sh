#!/usr/bin/env bash
# mbench handshake with a few connections: two mcat -l -k listeners (found
# next to mbench), one signing with --key, and the clients in mbench.
# Checked: the JSON and CSV are well formed, every figure is there and
# plausible (rates, latencies and listener CPU above zero for both
# listeners, p50 <= p99; the signature's added latency a finite number, as
# noise may make it negative) -- no timing thresholds; progress on stderr;
# no listener and no temporary directory left behind; usage errors exit 2.
# Usage: mbench_handshake.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
test_require_commands python3

test_run handshake 0 45 env TMPDIR="$TEST_TMP" "$MBENCH" handshake --connections 12 --concurrency 3 \
  --json "$TEST_TMP/handshake.json" --csv "$TEST_TMP/handshake.csv"
test_say "mbench handshake --connections 12: done"

test_check_report "$TEST_TMP/handshake.json" "$TEST_TMP/handshake.csv" <<'PY'
assert report["benchmark"] == "handshake" and report["subject"] == "signed" and report["baseline"] == "unsigned"
s = report["settings"]
assert s["connections"] == 12 and s["concurrency"] == 3 and s["path"] == "loopback", s
assert "--key" in s["signed_listener"] and "--key" not in s["unsigned_listener"], s
m = {entry["key"]: entry for entry in report["measurements"]}
for key in ("connections_per_second", "connect_latency_p50", "connect_latency_p99", "listener_cpu_per_connection"):
    entry = m[key]
    for side in ("value", "baseline"):
        assert math.isfinite(entry[side]) and entry[side] > 0, entry
    assert abs(entry["ratio"] - entry["value"] / entry["baseline"]) < 1e-6 * entry["ratio"], entry
for side in ("value", "baseline"):
    assert m["connect_latency_p50"][side] <= m["connect_latency_p99"][side], m
signature = m["signature_latency"]
assert signature["unit"] == "ms" and math.isfinite(signature["value"]) and signature["baseline"] is None, signature
assert abs(signature["value"] - (m["connect_latency_p50"]["value"] - m["connect_latency_p50"]["baseline"])) < 1e-9
print("handshake.json: %.0f connections/s signed, %.0f unsigned; signature adds %.3f ms" % (
    m["connections_per_second"]["value"], m["connections_per_second"]["baseline"], signature["value"]))
PY

test_check_report "$TEST_TMP/handshake.json" "$TEST_TMP/handshake.csv" <<'PY'
rows = {r["key"]: r for r in csv_rows}
assert set(rows) == {"connections_per_second", "connect_latency_p50", "connect_latency_p99",
                     "signature_latency", "listener_cpu_per_connection"}, rows
assert float(rows["connections_per_second"]["value"]) > 0 and float(rows["connections_per_second"]["baseline"]) > 0
PY
test_say "handshake.csv: the five rows"
test_expect_grep "$TEST_TMP/handshake.out" '^connections/s +1/s +[0-9.]+ +[0-9.]+ +[0-9.]+$' "the table's rate row"
test_expect_grep "$TEST_TMP/handshake.log" '^mbench handshake \[2/3\]: 12 connections to each' "progress on stderr"
if compgen -G "$TEST_TMP/mbench-handshake.*" >/dev/null; then test_fail "a temporary directory was left"; fi
if pgrep -f "$TEST_TMP/mbench-handshake" >/dev/null; then test_fail "a listener was left running"; fi

expect_usage_error() { test_expect_usage_error "$1" "$MBENCH" handshake "${@:2}"; }
expect_usage_error '--connections' --connections 0
expect_usage_error '--concurrency' --concurrency x
expect_usage_error "unrecognised option '--bogus'" --bogus
test_say "usage errors exit 2 and name the option"
test_say PASS
