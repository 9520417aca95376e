#!/usr/bin/env bash
# mbench handover --quick: a download of 8 MiB loses its WiFi path at 1/3,
# with one path (the client moves to LTE) and with two (the WiFi one just
# closes), msocket and kernel MPTCP. Checked: the JSON and CSV are well
# formed; all four rows are there; each download's bytes were checked and
# arrived over both devices (before and after the loss); the loss time lies
# within the download; the goodput series add up to the file. No timing
# thresholds. Ctrl-C: exit 130 and nothing left behind.
# Usage: mbench_handover.sh MBENCH
set -euo pipefail
MBENCH=${1:?usage: mbench_handover.sh MBENCH}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root python3
tb_require_exe "$MBENCH"

expect_nothing_left() {
  if ip netns list | grep -q "^mbench-$1-"; then tb_fail "namespaces of mbench $1 were left: $(ip netns list)"; fi
  if compgen -G "$TB_TMP/mbench-handover.*" >/dev/null; then tb_fail "a temporary directory was left"; fi
}

status=0
TMPDIR=$TB_TMP timeout 70 "$MBENCH" handover --quick --json "$TB_TMP/ho.json" --csv "$TB_TMP/ho.csv" \
  >"$TB_TMP/ho.table" 2>"$TB_TMP/ho.log" &
pid=$!
TB_PIDS+=("$pid")
tb_wait_pid "$pid" || status=$?
((status == 0)) || tb_fail "mbench handover --quick exited with status $status: $(tail -n 5 "$TB_TMP/ho.log")"
sed 's/^/    /' "$TB_TMP/ho.table"
expect_nothing_left "$pid"

python3 - "$TB_TMP/ho.json" "$TB_TMP/ho.csv" <<'PY' || tb_fail "ho.json: $(head -c 1200 "$TB_TMP/ho.json")"
import csv, json, math, sys
report = json.load(open(sys.argv[1]))
assert report["benchmark"] == "handover", report["benchmark"]
rows, size = report["rows"], report["settings"]["size_bytes"]
assert [(r["case"].split(",")[0], r["scheme"]) for r in rows] == [
    ("one path", "msocket"), ("one path", "mptcp"), ("two paths", "msocket"), ("two paths", "mptcp")], rows
series = {(s["case"], s["scheme"]): s for s in report["samples"]["series"]}
for r in rows:
    if r["scheme"] == "mptcp" and r["status"].startswith("unavailable"):
        continue
    assert r["status"] == "ok, bytes checked", r
    for key in ("seconds", "lost_at_seconds", "goodput_before_mbit_s", "goodput_after_mbit_s", "wifi_mib", "lte_mib"):
        assert isinstance(r[key], (int, float)) and math.isfinite(r[key]) and r[key] > 0, (key, r)
    assert r["lost_at_seconds"] < r["seconds"], r
assert len(series) >= 2
for s in series.values():
    total = sum(s["goodput_mbit_s"]) * 1e6 / 8 * s["bucket_ms"] / 1000
    assert abs(total - size) < 1024, (s["case"], s["scheme"], total, size)
csv_rows = list(csv.DictReader(open(sys.argv[2])))
assert [c["scheme"] for c in csv_rows] == [r["scheme"] for r in rows]
print("ho.json: %d rows, %d series" % (len(rows), len(series)))
PY

# Ctrl-C during a download: exit 130, and everything is removed.
TMPDIR=$TB_TMP timeout 60 "$MBENCH" handover --quick >/dev/null 2>"$TB_TMP/interrupted.log" &
pid=$!
TB_PIDS+=("$pid")
tb_wait_for_line "$TB_TMP/interrupted.log" '\[2/5\]' 30 || tb_fail "mbench handover did not start a download"
sleep 1  # into the download: both links, mcat at both ends
kill -INT "$pid"
status=0
tb_wait_pid "$pid" || status=$?
((status == 130)) || tb_fail "mbench handover interrupted exited with status $status, expected 130"
expect_nothing_left "$pid"
tb_say "Ctrl-C: exit 130, namespaces and files removed"
tb_say "PASS"
