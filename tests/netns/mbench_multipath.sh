#!/usr/bin/env bash
# mbench multipath --quick: the two-path testbed is built, every scheme
# downloads 1 and 4 MiB (msocket under each scheduler, kernel MPTCP, plain
# TCP on each path) and everything is removed. Checked: the JSON and CSV are
# well formed; every row is there; every download finished with a goodput
# above zero (MPTCP may instead say it is unavailable); the single paths
# used their own device only; the Ideal row is the fastest; each scheme's
# timeline (bytes received so far, in all and per device) only grows and
# ends at the size. The charts (--plot): Fig. 10's and the timelines', whose
# data only grow; both titles name the testbed. No timing
# thresholds: those are the benchmark's to report, not the test's to judge.
# Usage: mbench_multipath.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
tb_require_root python3

tb_run_mbench_quick mp 80 multipath --plot "$TEST_TMP/charts"

test_check_report "$TEST_TMP/mp.json" "$TEST_TMP/mp.csv" <<'PY'
assert report["benchmark"] == "multipath", report["benchmark"]
rows, sizes = report["rows"], report["settings"]["sizes_bytes"]
assert sizes == [1 << 20, 4 << 20], sizes
schemes = [r["scheme"] for r in rows[: len(rows) // len(sizes)]]
assert "msocket default" in schemes and "mptcp" in schemes and "ideal" in schemes, schemes
assert "tcp wifi" in schemes and "tcp lte" in schemes, schemes
assert len(rows) == len(schemes) * len(sizes)
for r in rows:
    if r["scheme"] == "mptcp" and r["status"].startswith("unavailable"):
        continue
    assert r["status"] in ("ok", "computed"), r
    for key in ("seconds", "goodput_mbit_s", "of_sum_of_rates", "of_best_single_path", "of_ideal"):
        assert isinstance(r[key], (int, float)) and math.isfinite(r[key]) and r[key] > 0, (key, r)
    # Against what plain TCP reached on each path at this size, in this run.
    assert isinstance(r["of_sum_of_tcp_goodputs"], (int, float)) and r["of_sum_of_tcp_goodputs"] > 0, r
    if r["scheme"] == "tcp wifi":
        assert r["wifi_share"] > 0.99, r
    if r["scheme"] == "tcp lte":
        assert r["wifi_share"] < 0.01, r
for size in sizes:
    label = [r for r in rows if r["scheme"] == "ideal"][sizes.index(size)]
    measured = [r["seconds"] for r in rows if r["size_bytes"] == label["size_bytes"] and r["scheme"] != "ideal" and r["seconds"]]
    assert measured and label["seconds"] < min(measured), (label, measured)
assert [(c["size_bytes"], c["scheme"]) for c in csv_rows] == [(r["size_bytes"], r["scheme"]) for r in rows]
timelines = report["samples"]["timelines"]
assert {t["scheme"] for t in timelines} >= {"msocket default", "tcp wifi", "tcp lte"}, timelines
for t in timelines:
    for key in ("received_bytes", "wifi_received_bytes", "lte_received_bytes"):
        values = t[key]
        assert values and all(b >= a for a, b in zip(values, values[1:])), (t["scheme"], key, "falls")
    assert t["size_bytes"] == sizes[-1] and t["received_bytes"][-1] == sizes[-1], (t["scheme"], t["received_bytes"][-1])
print("mp.json: %d rows, schemes %s" % (len(rows), ", ".join(schemes)))
PY
tb_check_timeline_chart "$TEST_TMP/charts" multipath-timeline "$TEST_TMP/mp.json" "$TEST_TMP/mp.csv"
grep -qF "testbed: $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["settings"]["testbed"])' "$TEST_TMP/mp.json")" \
  "$TEST_TMP/charts/multipath.gp" || test_fail "the title of multipath.gp does not name the testbed"
test_say "multipath.gp: the title names the testbed"
test_say "PASS"
