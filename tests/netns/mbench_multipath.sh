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
MBENCH=${1:?usage: mbench_multipath.sh MBENCH}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root python3
tb_require_exe "$MBENCH"

status=0
TMPDIR=$TB_TMP timeout 80 "$MBENCH" multipath --quick --json "$TB_TMP/mp.json" --csv "$TB_TMP/mp.csv" \
  >"$TB_TMP/mp.table" 2>"$TB_TMP/mp.log" &
pid=$!
TB_PIDS+=("$pid")
tb_wait_pid "$pid" || status=$?
((status == 0)) || tb_fail "mbench multipath --quick exited with status $status: $(tail -n 5 "$TB_TMP/mp.log")"
sed 's/^/    /' "$TB_TMP/mp.table"
if ip netns list | grep -q "^mbench-$pid-"; then tb_fail "namespaces of mbench $pid were left: $(ip netns list)"; fi
if compgen -G "$TB_TMP/mbench-multipath.*" >/dev/null; then tb_fail "a temporary directory was left"; fi

python3 - "$TB_TMP/mp.json" "$TB_TMP/mp.csv" <<'PY' || tb_fail "mp.json: $(head -c 1200 "$TB_TMP/mp.json")"
import csv, json, math, sys
report = json.load(open(sys.argv[1]))
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
csv_rows = list(csv.DictReader(open(sys.argv[2])))
assert [(c["size_bytes"], c["scheme"]) for c in csv_rows] == [(r["size_bytes"], r["scheme"]) for r in rows]
print("mp.json: %d rows, schemes %s" % (len(rows), ", ".join(schemes)))
PY
tb_say "PASS"
