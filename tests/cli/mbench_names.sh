#!/usr/bin/env bash
# mbench names --quick starts its own mnamed (found next to mbench), measures
# it (group commit included) and writes a table, JSON and CSV. Checked: the files are well formed,
# every figure the benchmark promises is there and plausible (latencies and
# rates above zero, baselines and ratios where the manual page says) -- no
# timing thresholds. Nothing is left behind: no mnamed, no temporary data.
# Usage: mbench_names.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
test_require_commands python3

# mbench's temporary directories go under $TEST_TMP, so that the test can see
# them removed.
test_run names 0 45 env TMPDIR="$TEST_TMP" "$MBENCH" names --quick --json "$TEST_TMP/names.json" --csv "$TEST_TMP/names.csv"
test_say "mbench names --quick: done"

test_check_report "$TEST_TMP/names.json" "$TEST_TMP/names.csv" <<'PY'
assert report["benchmark"] == "names", report["benchmark"]
assert report["settings"]["quick"] is True
m = {entry["key"]: entry for entry in report["measurements"]}
def positive(key, with_baseline):
    entry = m[key]
    assert isinstance(entry["value"], (int, float)) and math.isfinite(entry["value"]) and entry["value"] > 0, entry
    if with_baseline:
        assert entry["baseline"] is not None and entry["baseline"] > 0, entry
        assert abs(entry["ratio"] - entry["value"] / entry["baseline"]) < 1e-6 * entry["ratio"], entry
for kind in ("p50", "p90", "p99", "max"):
    positive("lookup_latency_" + kind, True)
    positive("lookup_latency_during_updates_" + kind, True)
    positive("watch_latency_" + kind, False)
for key in ("lookups_per_second_1_client", "lookups_per_second_concurrent",
            "updates_per_second_1_client", "updates_per_second_concurrent",
            "updates_per_second_group_commit", "update_latency_p50", "update_latency_p99"):
    positive(key, True)
assert report["settings"]["writers"] == 16, report["settings"]
positive("server_peak_rss", False)
positive("updates_per_fdatasync", False)
assert m["updates_per_fdatasync"]["value"] >= 1, m["updates_per_fdatasync"]
assert m["lookup_latency_p50"]["value"] <= m["lookup_latency_p99"]["value"] <= m["lookup_latency_max"]["value"]
assert m["watch_latency_p50"]["value"] <= m["watch_latency_max"]["value"]
for kind in ("p50", "p90", "p99", "max"):
    positive("dns_query_latency_" + kind, True)
positive("dns_queries_per_second_1_client", True)
positive("dns_queries_per_second_concurrent", True)
print("names.json: %d measurements, lookup p50 %.3f ms, %.0f updates/s, %.0f with 16 writers "
      "(%.2fx the disk's fdatasync rate, %.1f updates per fdatasync), watch p50 %.3f ms, DNS p99 %.3f ms" % (
    len(m), m["lookup_latency_p50"]["value"], m["updates_per_second_1_client"]["value"],
    m["updates_per_second_group_commit"]["value"], m["updates_per_second_group_commit"]["ratio"],
    m["updates_per_fdatasync"]["value"], m["watch_latency_p50"]["value"], m["dns_query_latency_p99"]["value"]))
PY

# CSV: a header and one line per measurement of the JSON.
test_check_report "$TEST_TMP/names.json" "$TEST_TMP/names.csv" <<'PY'
rows = csv_rows
assert [r["key"] for r in rows] == [m["key"] for m in report["measurements"]]
assert all(r["benchmark"] == "names" and float(r["value"]) > 0 for r in rows)
PY
test_say "names.csv matches the JSON"

test_expect_grep "$TEST_TMP/names.out" '^metric +unit +mnamed +baseline +ratio' "the table's header"
test_expect_grep "$TEST_TMP/names.out" '^lookup latency p50 +ms ' "the table's lookup row"
test_expect_grep "$TEST_TMP/names.log" '^mbench names \[8/8\]' "progress on stderr"
if compgen -G "$TEST_TMP/mbench-names.*" >/dev/null; then test_fail "a temporary directory was left: $(ls -d "$TEST_TMP"/mbench-names.*)"; fi
if pgrep -f "mnamed serve --listen 127.0.0.1:0 --data-dir $TEST_TMP/" >/dev/null; then test_fail "mnamed still runs"; fi
test_say "mnamed stopped and its data directory removed"

# Bad options name themselves and exit 2.
test_expect_usage_error '--clients wants a number' "$MBENCH" names --clients 0
test_say PASS
