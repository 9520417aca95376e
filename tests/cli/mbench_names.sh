#!/usr/bin/env bash
# mbench names --quick starts its own mnamed (found next to mbench), measures
# it and writes a table, JSON and CSV. Checked: the files are well formed,
# every figure the benchmark promises is there and plausible (latencies and
# rates above zero, baselines and ratios where the manual page says) -- no
# timing thresholds. Nothing is left behind: no mnamed, no temporary data.
# Usage: mbench_names.sh MBENCH
set -euo pipefail
MBENCH=${1:?usage: mbench_names.sh MBENCH}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands python3
cli_require_exe "$MBENCH"

# mbench's temporary directories go under $CLI_TMP, so that the test can see
# them removed.
status=0
TMPDIR=$CLI_TMP timeout 45 "$MBENCH" names --quick --json "$CLI_TMP/names.json" --csv "$CLI_TMP/names.csv" \
  >"$CLI_TMP/table.txt" 2>"$CLI_TMP/names.log" || status=$?
((status == 0)) || cli_fail "mbench names --quick exited with status $status"
cli_say "mbench names --quick: done"

python3 - "$CLI_TMP/names.json" <<'PY' || cli_fail "names.json: $(head -c 600 "$CLI_TMP/names.json")"
import json, math, sys
report = json.load(open(sys.argv[1]))
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
    positive("watch_latency_" + kind, False)
for key in ("lookups_per_second_1_client", "lookups_per_second_concurrent",
            "updates_per_second_1_client", "updates_per_second_concurrent",
            "update_latency_p50", "update_latency_p99"):
    positive(key, True)
positive("server_peak_rss", False)
assert m["lookup_latency_p50"]["value"] <= m["lookup_latency_p99"]["value"] <= m["lookup_latency_max"]["value"]
assert m["watch_latency_p50"]["value"] <= m["watch_latency_max"]["value"]
print("names.json: %d measurements, lookup p50 %.3f ms, %.0f updates/s, watch p50 %.3f ms" % (
    len(m), m["lookup_latency_p50"]["value"], m["updates_per_second_1_client"]["value"],
    m["watch_latency_p50"]["value"]))
PY

# CSV: a header and one line per measurement of the JSON.
python3 - "$CLI_TMP/names.csv" "$CLI_TMP/names.json" <<'PY' || cli_fail "names.csv: $(head -n 3 "$CLI_TMP/names.csv")"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
report = json.load(open(sys.argv[2]))
assert [r["key"] for r in rows] == [m["key"] for m in report["measurements"]]
assert all(r["benchmark"] == "names" and float(r["value"]) > 0 for r in rows)
PY
cli_say "names.csv matches the JSON"

cli_expect_grep "$CLI_TMP/table.txt" '^metric +unit +mnamed +baseline +ratio' "the table's header"
cli_expect_grep "$CLI_TMP/table.txt" '^lookup latency p50 +ms ' "the table's lookup row"
cli_expect_grep "$CLI_TMP/names.log" '^mbench names \[6/6\]' "progress on stderr"
if compgen -G "$CLI_TMP/mbench-names.*" >/dev/null; then cli_fail "a temporary directory was left: $(ls -d "$CLI_TMP"/mbench-names.*)"; fi
if pgrep -f "mnamed serve --listen 127.0.0.1:0 --data-dir $CLI_TMP/" >/dev/null; then cli_fail "mnamed still runs"; fi
cli_say "mnamed stopped and its data directory removed"

# Bad options name themselves and exit 2.
status=0
"$MBENCH" names --clients 0 >/dev/null 2>"$CLI_TMP/usage.log" || status=$?
((status == 2)) || cli_fail "--clients 0 exited $status, expected 2"
cli_expect_grep "$CLI_TMP/usage.log" '--clients wants a number' "the usage error names the option"
cli_say PASS
