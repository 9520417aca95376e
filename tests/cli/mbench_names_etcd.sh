#!/usr/bin/env bash
# mbench names --etcd --quick starts a log-store mnamed and etcd clusters of
# one and three members with one and two front ends, and reports each
# etcd scenario's lookups/s and updates/s against the log store's, and the
# watch latencies. Checked: the JSON and CSV are well formed and every
# promised figure is there and plausible -- no timing thresholds; nothing
# is left running. Skips (77) without etcd unless CI or MSOCKET_REQUIRE_NETNS=1.
# Usage: mbench_names_etcd.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
test_require_commands python3
if [[ ! -x /usr/bin/etcd ]]; then
  if [[ -n ${CI:-} || ${MSOCKET_REQUIRE_NETNS:-0} == 1 ]]; then test_fail "no /usr/bin/etcd (scripts/install-deps.sh)"; fi
  echo "SKIP: needs etcd (apt-get install etcd-server)"
  exit 77
fi

test_run names 0 100 env TMPDIR="$TEST_TMP" "$MBENCH" names --etcd --quick \
  --json "$TEST_TMP/names.json" --csv "$TEST_TMP/names.csv"
test_say "mbench names --etcd --quick: done"

test_check_report "$TEST_TMP/names.json" "$TEST_TMP/names.csv" <<'PY'
assert report["settings"]["store_comparison"] is True
m = {entry["key"]: entry for entry in report["measurements"]}
scenarios = ["etcd_1m_1fe", "etcd_1m_2fe", "etcd_3m_1fe", "etcd_3m_2fe"]
for scenario in scenarios:
    for rate in ("lookups_per_second", "updates_per_second"):
        entry = m[scenario + "_" + rate]
        assert entry["value"] > 0 and entry["baseline"] > 0, entry
        assert abs(entry["ratio"] - entry["value"] / entry["baseline"]) < 1e-6 * entry["ratio"], entry
for scenario in ["log"] + scenarios:
    p50, p99 = m[scenario + "_watch_latency_p50"], m[scenario + "_watch_latency_p99"]
    assert 0 <= p50["value"] <= p99["value"], (p50, p99)
    assert m[scenario + "_watch_latency_from_request_p50"]["value"] > 0
assert [r["key"] for r in csv_rows] == [e["key"] for e in report["measurements"]]
print("names.json: 3 members, 2 front ends: %.2fx the log store's lookups, %.2fx its updates; watch p99 %.2f ms" % (
    m["etcd_3m_2fe_lookups_per_second"]["ratio"], m["etcd_3m_2fe_updates_per_second"]["ratio"],
    m["etcd_3m_2fe_watch_latency_p99"]["value"]))
PY
test_expect_grep "$TEST_TMP/names.log" '^mbench names --etcd \[5/5\]' "progress on stderr"
if compgen -G "$TEST_TMP/mbench-names-etcd.*" >/dev/null; then test_fail "a temporary directory was left"; fi
if pgrep -f "etcd --name m1 --data-dir $TEST_TMP/" >/dev/null; then test_fail "an etcd member still runs"; fi
test_expect_usage_error 'does not go with --server' "$MBENCH" names --etcd --server http://127.0.0.1:1
test_say PASS
