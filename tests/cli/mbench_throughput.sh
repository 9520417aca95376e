#!/usr/bin/env bash
# mbench throughput --quick: 64 MiB through mcat (found next to mbench),
# through mcat --no-encrypt and through socat on loopback. Checked: the JSON
# and CSV are well formed, every figure is there for all three and plausible
# (goodput, CPU per GiB and peak RSS above zero; the ratios are msocket and
# msocket --no-encrypt over TCP), the three targets are reported with their
# verdict -- no timing thresholds: the exit status is 0 met or not. With
# gnuplot, the charts are PNG and SVG, titled with the testbed, with three
# bar series; without it, --plot says so. Usage errors name the option;
# --netns is refused to a user who is not root.
# Usage: mbench_throughput.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
test_require_commands python3 socat

plot=()
if command -v gnuplot >/dev/null 2>&1; then plot=(--plot "$TEST_TMP/charts"); fi
test_run throughput 0 45 env TMPDIR="$TEST_TMP" "$MBENCH" throughput --quick --json "$TEST_TMP/throughput.json" \
  --csv "$TEST_TMP/throughput.csv" "${plot[@]}"
test_say "mbench throughput --quick: done"

test_check_report "$TEST_TMP/throughput.json" "$TEST_TMP/throughput.csv" <<'PY'
assert report["benchmark"] == "throughput" and report["subject"] == "msocket" and report["baseline"] == "tcp"
assert report["settings"]["size_bytes"] == 64 << 20 and report["settings"]["path"] == "loopback"
m = {entry["key"]: entry for entry in report["measurements"]}
for key in ("goodput", "cpu_per_gib", "cpu_per_gib_sender", "cpu_per_gib_receiver",
            "peak_rss_sender", "peak_rss_receiver"):
    entry = m[key]
    for side in ("value", "baseline"):
        assert math.isfinite(entry[side]) and entry[side] > 0, entry
    assert abs(entry["ratio"] - entry["value"] / entry["baseline"]) < 1e-6 * entry["ratio"], entry
    plain = entry["variants"]["msocket_no_encrypt"]
    assert math.isfinite(plain["value"]) and plain["value"] > 0, entry
    assert abs(plain["ratio"] - plain["value"] / entry["baseline"]) < 1e-6 * plain["ratio"], entry
assert report["variants"] == [{"key": "msocket_no_encrypt", "heading": "no-encrypt"}], report["variants"]
assert "--no-encrypt" in report["settings"]["msocket_no_encrypt"], report["settings"]
targets = {t["key"]: t for t in report["targets"]}
assert set(targets) == {"goodput_encrypted", "goodput_no_encrypt", "cpu_per_gib_no_encrypt"}, targets
assert targets["goodput_encrypted"]["threshold"] == 0.9 and targets["goodput_encrypted"]["comparison"] == ">="
assert targets["cpu_per_gib_no_encrypt"]["threshold"] == 1.0 and targets["cpu_per_gib_no_encrypt"]["comparison"] == "<="
assert abs(targets["goodput_encrypted"]["ratio"] - m["goodput"]["ratio"]) < 1e-9
assert abs(targets["goodput_no_encrypt"]["ratio"] - m["goodput"]["variants"]["msocket_no_encrypt"]["ratio"]) < 1e-9
for t in targets.values():
    assert t["met"] == (t["ratio"] >= t["threshold"] if t["comparison"] == ">=" else t["ratio"] <= t["threshold"]), t
assert report["targets_met"] == all(t["met"] for t in targets.values())
assert m["goodput"]["unit"] == "MiB/s" and m["cpu_per_gib"]["unit"] == "s/GiB" and m["peak_rss_sender"]["unit"] == "KiB"
total = m["cpu_per_gib"]
assert abs(total["value"] - m["cpu_per_gib_sender"]["value"] - m["cpu_per_gib_receiver"]["value"]) < 1e-6 * total["value"]
print("throughput.json: msocket %.0f MiB/s, --no-encrypt %.0f MiB/s, tcp %.0f MiB/s, ratios %.2f and %.2f" % (
    m["goodput"]["value"], m["goodput"]["variants"]["msocket_no_encrypt"]["value"], m["goodput"]["baseline"],
    m["goodput"]["ratio"], m["goodput"]["variants"]["msocket_no_encrypt"]["ratio"]))
PY

test_check_report "$TEST_TMP/throughput.json" "$TEST_TMP/throughput.csv" <<'PY'
rows = [r for r in csv_rows if not r["key"].startswith("target_")]
targets = [r for r in csv_rows if r["key"].startswith("target_")]
assert len(rows) == 6 and rows[0]["key"] == "goodput"
assert all(float(r[k]) > 0 for r in rows for k in ("value", "baseline", "ratio",
                                                     "msocket_no_encrypt_value", "msocket_no_encrypt_ratio"))
assert [r["key"] for r in targets] == ["target_goodput_encrypted", "target_goodput_no_encrypt",
                                       "target_cpu_per_gib_no_encrypt"], targets
assert all(r["baseline_label"] in ("met", "not met") and r["unit"] == "ratio" for r in targets), targets
PY
test_say "throughput.csv: six rows for three tools, all positive; three target rows"
test_expect_grep "$TEST_TMP/throughput.out" '^goodput +MiB/s +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$' "the table's goodput row"
test_expect_grep "$TEST_TMP/throughput.out" '^  goodput, msocket / tcp >= 0.900: [0-9.]+, (met|not met)$' "a target's verdict"
test_expect_grep "$TEST_TMP/throughput.log" '^mbench throughput \[3/3\]: run 1 of 1: tcp' "progress on stderr"
if compgen -G "$TEST_TMP/mbench-throughput.*" >/dev/null; then test_fail "a temporary directory was left"; fi

if ((${#plot[@]})); then
  [[ $(head -c 8 "$TEST_TMP/charts/throughput.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
    test_fail "charts/throughput.png is not a PNG"
  grep -q '<svg' "$TEST_TMP/charts/throughput.svg" || test_fail "charts/throughput.svg is not an SVG"
  grep -qF "'' using 3 title \"no-encrypt\", '' using 4 title \"tcp\"" "$TEST_TMP/charts/throughput.gp" ||
    test_fail "throughput.gp does not draw three bar series: $(grep -m1 '^plot' "$TEST_TMP/charts/throughput.gp")"
  grep -qF '"testbed: loopback; 64 MiB per run, 1 run(s)"' "$TEST_TMP/charts/throughput.gp" ||
    test_fail "the title of throughput.gp does not name the testbed: $(grep -m1 multiplot "$TEST_TMP/charts/throughput.gp")"
  test_say "charts: throughput.png and throughput.svg, the testbed in the title"
else
  test_run plot 1 45 "$MBENCH" throughput --quick --plot "$TEST_TMP/charts"
  test_expect_grep "$TEST_TMP/plot.log" 'needs gnuplot' "--plot without gnuplot"
  test_say "no gnuplot: --plot says so"
fi

# Usage errors exit 2 and name the option.
expect_usage_error() { test_expect_usage_error "$1" "$MBENCH" throughput "${@:2}"; }
expect_usage_error 'invalid size for --size' --size 12x
expect_usage_error '--rate shapes the veth of --netns' --rate 10mbit
expect_usage_error "unrecognised option '--bogus'" --bogus
test_say "usage errors exit 2 and name the option"

# --netns needs root; as another user it is refused before anything is made.
# (Only where that user can run mbench at all: the build tree may be closed to it.)
if test_nobody_can_run "$MBENCH"; then
  test_run netns 1 10 "${TEST_AS_NOBODY[@]}" "$MBENCH" throughput --netns --quick
  test_expect_grep "$TEST_TMP/netns.log" '--netns needs root' "--netns as an ordinary user"
  test_say "--netns refused to an ordinary user"
fi
test_say PASS
