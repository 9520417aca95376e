#!/usr/bin/env bash
# mbench proxy --quick: 64 MiB through mcat reached by name through an
# mproxy, and through mcat directly, on loopback (mnamed, mproxy and mcat
# found next to mbench). Checked: the JSON and CSV are well formed; goodput
# and CPU are above zero for both, the ratio is relayed over direct; the
# relay's CPU per GiB is there, and the share of bytes it spliced is above
# 0.99 (the relay moves no payload in user space: only its control
# messages); both targets are reported with their verdict -- no timing
# threshold. No mnamed, mproxy or temporary directory is left behind.
# Usage errors name the option.
# Usage: mbench_proxy.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
test_require_commands python3

test_run proxy 0 60 env TMPDIR="$TEST_TMP" "$MBENCH" proxy --quick --json "$TEST_TMP/proxy.json" \
  --csv "$TEST_TMP/proxy.csv"
test_say "mbench proxy --quick: done"

test_check_report "$TEST_TMP/proxy.json" "$TEST_TMP/proxy.csv" <<'PY'
assert report["benchmark"] == "proxy" and report["subject"] == "relayed" and report["baseline"] == "direct"
assert report["settings"]["size_bytes"] == 64 << 20 and report["settings"]["path"] == "loopback"
m = {entry["key"]: entry for entry in report["measurements"]}
for key in ("goodput", "cpu_per_gib_ends"):
    entry = m[key]
    assert math.isfinite(entry["value"]) and entry["value"] > 0 and entry["baseline"] > 0, entry
    assert abs(entry["ratio"] - entry["value"] / entry["baseline"]) < 1e-6 * entry["ratio"], entry
assert m["cpu_per_gib_relay"]["value"] > 0 and m["cpu_per_gib_relay"]["baseline"] is None, m["cpu_per_gib_relay"]
assert 0.99 < m["spliced_share"]["value"] <= 1.0, m["spliced_share"]
targets = {t["key"]: t for t in report["targets"]}
assert set(targets) == {"goodput_relayed", "spliced_share"}, targets
assert targets["goodput_relayed"]["threshold"] == 0.9 and targets["spliced_share"]["threshold"] == 0.99
assert targets["spliced_share"]["met"], targets
for t in targets.values():
    assert t["met"] == (t["ratio"] >= t["threshold"]), t
print("proxy.json: relayed %.0f MiB/s, direct %.0f MiB/s (ratio %.2f); relay %.2f s/GiB, %.4f spliced" % (
    m["goodput"]["value"], m["goodput"]["baseline"], m["goodput"]["ratio"], m["cpu_per_gib_relay"]["value"],
    m["spliced_share"]["value"]))
PY
test_expect_grep "$TEST_TMP/proxy.out" '^  goodput, relayed / direct >= 0.900: [0-9.]+, (met|not met)$' "a target's verdict"
test_expect_grep "$TEST_TMP/proxy.log" '^mbench proxy \[3/3\]: run 1 of 1: direct' "progress on stderr"
if compgen -G "$TEST_TMP/mbench-proxy.*" >/dev/null; then test_fail "a temporary directory was left"; fi
if pgrep -f "mproxy --listen 127.0.0.2:0" >/dev/null; then test_fail "an mproxy was left running"; fi

expect_usage_error() { test_expect_usage_error "$1" "$MBENCH" proxy "${@:2}"; }
expect_usage_error 'invalid size for --size' --size 12x
expect_usage_error "unrecognised option '--bogus'" --bogus
test_say "usage errors exit 2 and name the option"
test_say PASS
