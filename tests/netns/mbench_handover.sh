#!/usr/bin/env bash
# mbench handover --quick: a download of 8 MiB loses its WiFi path at 1/3,
# with one path (the client moves to LTE) and with two (the WiFi one just
# closes), msocket and kernel MPTCP. Checked: the JSON and CSV are well
# formed; all four rows are there; each download's bytes were checked and
# arrived over both devices (before and after the loss); the loss time lies
# within the download; the goodput series add up to the file; the series
# of bytes received so far only grow and end at the file's size. The chart
# (--plot): every panel's timeline only grows, the loss is a labelled line,
# the title names the testbed. No timing thresholds. Ctrl-C: exit 130 and
# nothing left behind.
# Usage: mbench_handover.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
tb_require_root python3

tb_run_mbench_quick ho 70 handover --plot "$TEST_TMP/charts"

test_check_report "$TEST_TMP/ho.json" "$TEST_TMP/ho.csv" <<'PY'
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
    for key in ("received_bytes", "wifi_received_bytes", "lte_received_bytes"):
        values = s[key]
        assert all(b >= a for a, b in zip(values, values[1:])), (s["case"], s["scheme"], key, "falls")
    assert s["received_bytes"][-1] == size, (s["case"], s["scheme"], s["received_bytes"][-1])
    assert s["event"] == "wifi address deleted" and s["rate_window_ms"] == 500, s["event"]
    assert len(s["rate_mbit_s"]) == len(s["goodput_mbit_s"])
assert [c["scheme"] for c in csv_rows] == [r["scheme"] for r in rows]
print("ho.json: %d rows, %d series" % (len(rows), len(series)))
PY
tb_check_timeline_chart "$TEST_TMP/charts" handover "$TEST_TMP/ho.json" "$TEST_TMP/ho.csv" "wifi address deleted"

# Ctrl-C during a download (a second into it: both links, mcat at both ends):
# exit 130, and everything is removed.
tb_expect_mbench_interrupted '\[2/5\]' 1 handover --quick
test_say "PASS"
