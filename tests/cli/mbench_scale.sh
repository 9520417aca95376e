#!/usr/bin/env bash
# mbench scale with 200 connections to each listener (mcat -l -k, found next
# to mbench, and the library's acceptor in mbench scale-listen). Checked:
# the JSON and CSV are well formed, every point has its rows (memory per
# connection above zero, CPU not negative), every echo came back and mcat
# wrote every byte; progress on stderr; no process and no temporary
# directory left behind; usage errors exit 2. No memory bound here: the
# namespace test scale_connections judges it with 2,000 connections.
# Usage: mbench_scale.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
test_require_commands python3

test_run scale 0 90 env TMPDIR="$TEST_TMP" "$MBENCH" scale --connections 200 --settle 1s --cpu-window 1s \
  --json "$TEST_TMP/scale.json" --csv "$TEST_TMP/scale.csv"
test_say "mbench scale --connections 200: done"

test_check_report "$TEST_TMP/scale.json" "$TEST_TMP/scale.csv" <<'PY'
assert report["benchmark"] == "scale", report["benchmark"]
s = report["settings"]
assert s["connections"] == [200] and s["listeners"] == ["mcat", "acceptor"], s
m = {entry["key"]: entry for entry in report["measurements"]}
for who in ("mcat", "acceptor"):
    for row in ("listener_memory", "client_memory"):
        entry = m["%s_200_%s" % (who, row)]
        assert entry["unit"] == "KiB" and math.isfinite(entry["value"]) and entry["value"] > 0, entry
    for row in ("listener_cpu", "client_cpu"):
        entry = m["%s_200_%s" % (who, row)]
        assert entry["unit"] == "ms/s" and math.isfinite(entry["value"]) and entry["value"] >= 0, entry
points = {p["listener"]: p for p in report["samples"]["points"]}
assert points["acceptor"]["exact_echoes"] == 200, points["acceptor"]
assert points["mcat"]["bytes_received"] == 200 * 100, points["mcat"]
assert {t["key"] for t in report["targets"]} >= {"mcat_200_listener_memory", "acceptor_200_listener_memory"}
assert [r["key"] for r in csv_rows if not r["key"].startswith("target_")] == [r["key"] for r in report["measurements"]]
print("scale.json: %.1f KiB per connection in mcat, %.1f in the acceptor" % (
    m["mcat_200_listener_memory"]["value"], m["acceptor_200_listener_memory"]["value"]))
PY
test_expect_grep "$TEST_TMP/scale.log" '^mbench scale \[1/4\]: mcat: 200 connections' "progress on stderr"
if compgen -G "$TEST_TMP/mbench-scale.*" >/dev/null; then test_fail "a temporary directory was left"; fi
if pgrep -f "$MBENCH scale-(listen|connect)" >/dev/null; then test_fail "a peer was left running"; fi

expect_usage_error() { test_expect_usage_error "$1" "$MBENCH" scale "${@:2}"; }
expect_usage_error '--connections' --connections 0
expect_usage_error '--listeners' --listeners nginx
expect_usage_error "unrecognised option '--bogus'" --bogus
# The options of a move of the listener go with --server-move only, and the
# idle measurement's do not go with it.
expect_usage_error '--rtt goes with --server-move' --rtt 50ms
expect_usage_error '--listeners does not go with --server-move' --server-move --listeners mcat
expect_usage_error '--rtt must be from 2ms to 2s' --server-move --rtt 5s
test_say "usage errors exit 2 and name the option"
test_say PASS
