#!/usr/bin/env bash
# mbench multipath --quick: the two-path testbed is built, every scheme
# downloads 1 and 4 MiB (msocket under each scheduler, kernel MPTCP, plain
# TCP on each path) and everything is removed. Checked: the JSON and CSV are
# well formed; every row is there; every download finished with a goodput
# above zero (MPTCP may instead say it is unavailable); the single paths
# used their own device only; the Ideal row is the fastest. No timing
# thresholds: those are the benchmark's to report, not the test's to judge.
# Usage: mbench_multipath.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
tb_require_root python3

tb_run_mbench_quick mp 80 multipath

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
    if r["scheme"] == "tcp wifi":
        assert r["wifi_share"] > 0.99, r
    if r["scheme"] == "tcp lte":
        assert r["wifi_share"] < 0.01, r
for size in sizes:
    label = [r for r in rows if r["scheme"] == "ideal"][sizes.index(size)]
    measured = [r["seconds"] for r in rows if r["size_bytes"] == label["size_bytes"] and r["scheme"] != "ideal" and r["seconds"]]
    assert measured and label["seconds"] < min(measured), (label, measured)
assert [(c["size_bytes"], c["scheme"]) for c in csv_rows] == [(r["size_bytes"], r["scheme"]) for r in rows]
print("mp.json: %d rows, schemes %s" % (len(rows), ", ".join(schemes)))
PY
test_say "PASS"
