#!/usr/bin/env bash
# mbench throughput --quick: 64 MiB through mcat (found next to mbench) and
# through socat on loopback. Checked: the JSON and CSV are well formed, every
# figure is there for both and plausible (goodput, CPU per GiB and peak RSS
# above zero; the ratio is msocket over TCP) -- no timing thresholds. With
# gnuplot, the charts are PNG and SVG; without it, --plot says so. Usage
# errors name the option; --netns is refused to a user who is not root.
# Usage: mbench_throughput.sh MBENCH
set -euo pipefail
MBENCH=${1:?usage: mbench_throughput.sh MBENCH}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands python3 socat
cli_require_exe "$MBENCH"

plot=()
if command -v gnuplot >/dev/null 2>&1; then plot=(--plot "$CLI_TMP/charts"); fi
status=0
TMPDIR=$CLI_TMP timeout 45 "$MBENCH" throughput --quick --json "$CLI_TMP/throughput.json" \
  --csv "$CLI_TMP/throughput.csv" "${plot[@]}" >"$CLI_TMP/table.txt" 2>"$CLI_TMP/throughput.log" || status=$?
((status == 0)) || cli_fail "mbench throughput --quick exited with status $status"
cli_say "mbench throughput --quick: done"

python3 - "$CLI_TMP/throughput.json" <<'PY' || cli_fail "throughput.json: $(head -c 600 "$CLI_TMP/throughput.json")"
import json, math, sys
report = json.load(open(sys.argv[1]))
assert report["benchmark"] == "throughput" and report["subject"] == "msocket" and report["baseline"] == "tcp"
assert report["settings"]["size_bytes"] == 64 << 20 and report["settings"]["path"] == "loopback"
m = {entry["key"]: entry for entry in report["measurements"]}
for key in ("goodput", "cpu_per_gib", "cpu_per_gib_sender", "cpu_per_gib_receiver",
            "peak_rss_sender", "peak_rss_receiver"):
    entry = m[key]
    for side in ("value", "baseline"):
        assert math.isfinite(entry[side]) and entry[side] > 0, entry
    assert abs(entry["ratio"] - entry["value"] / entry["baseline"]) < 1e-6 * entry["ratio"], entry
assert m["goodput"]["unit"] == "MiB/s" and m["cpu_per_gib"]["unit"] == "s/GiB" and m["peak_rss_sender"]["unit"] == "KiB"
total = m["cpu_per_gib"]
assert abs(total["value"] - m["cpu_per_gib_sender"]["value"] - m["cpu_per_gib_receiver"]["value"]) < 1e-6 * total["value"]
print("throughput.json: msocket %.0f MiB/s, tcp %.0f MiB/s, ratio %.2f" % (
    m["goodput"]["value"], m["goodput"]["baseline"], m["goodput"]["ratio"]))
PY

python3 - "$CLI_TMP/throughput.csv" <<'PY' || cli_fail "throughput.csv: $(head -n 3 "$CLI_TMP/throughput.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 6 and rows[0]["key"] == "goodput"
assert all(float(r["value"]) > 0 and float(r["baseline"]) > 0 and float(r["ratio"]) > 0 for r in rows)
PY
cli_say "throughput.csv: six rows, all positive"
cli_expect_grep "$CLI_TMP/table.txt" '^goodput +MiB/s +[0-9.]+ +[0-9.]+ +[0-9.]+$' "the table's goodput row"
cli_expect_grep "$CLI_TMP/throughput.log" '^mbench throughput \[2/2\]: run 1 of 1: tcp' "progress on stderr"
if compgen -G "$CLI_TMP/mbench-throughput.*" >/dev/null; then cli_fail "a temporary directory was left"; fi

if ((${#plot[@]})); then
  [[ $(head -c 8 "$CLI_TMP/charts/throughput.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
    cli_fail "charts/throughput.png is not a PNG"
  grep -q '<svg' "$CLI_TMP/charts/throughput.svg" || cli_fail "charts/throughput.svg is not an SVG"
  cli_say "charts: throughput.png and throughput.svg"
else
  status=0
  "$MBENCH" throughput --quick --plot "$CLI_TMP/charts" >/dev/null 2>"$CLI_TMP/plot.log" || status=$?
  ((status == 1)) || cli_fail "--plot without gnuplot exited $status, expected 1"
  cli_expect_grep "$CLI_TMP/plot.log" 'needs gnuplot' "--plot without gnuplot"
  cli_say "no gnuplot: --plot says so"
fi

# Usage errors exit 2 and name the option.
expect_usage_error() {
  local pattern=$1 status=0
  shift
  "$MBENCH" throughput "$@" >/dev/null 2>"$CLI_TMP/usage.log" || status=$?
  ((status == 2)) || cli_fail "mbench throughput $* exited $status, expected 2"
  cli_expect_grep "$CLI_TMP/usage.log" "$pattern" "mbench throughput $*"
}
expect_usage_error 'invalid size for --size' --size 12x
expect_usage_error '--rate shapes the veth of --netns' --rate 10mbit
expect_usage_error "unrecognised option '--bogus'" --bogus
cli_say "usage errors exit 2 and name the option"

# --netns needs root; as another user it is refused before anything is made.
# (Only where that user can run mbench at all: the build tree may be closed to it.)
as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if ((EUID == 0)) && command -v setpriv >/dev/null 2>&1 && "${as_nobody[@]}" "$MBENCH" --help >/dev/null 2>&1; then
  status=0
  "${as_nobody[@]}" "$MBENCH" throughput --netns --quick \
    >/dev/null 2>"$CLI_TMP/netns.log" || status=$?
  ((status == 1)) || cli_fail "--netns as an ordinary user exited $status, expected 1"
  cli_expect_grep "$CLI_TMP/netns.log" '--netns needs root' "--netns as an ordinary user"
  cli_say "--netns refused to an ordinary user"
fi
cli_say PASS
