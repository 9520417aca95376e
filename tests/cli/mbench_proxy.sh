#!/usr/bin/env bash
# mbench proxy --quick: 64 MiB through mcat reached by name through an
# mproxy, and through mcat directly, on loopback (mnamed, mproxy and mcat
# found next to mbench). Checked: the JSON and CSV are well formed; goodput
# and CPU are above zero for both, the ratio is relayed over direct; the
# relay's CPU per GiB is there, and the share of bytes it spliced is above
# 0.99 (the relay moves no payload in user space: only its control
# messages); both targets are reported with their verdict -- no timing
# threshold. First, 500 idle reservations held by mbench on one more
# mproxy: the relay's memory per reservation is a finite number above zero,
# with its target (<= 16 KiB) and verdict; its CPU while idle is there.
# No mnamed, mproxy or temporary directory is left behind.
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
assert report["settings"]["reservations"] == 500, report["settings"]
m = {entry["key"]: entry for entry in report["measurements"]}
for key in ("goodput", "cpu_per_gib_ends"):
    entry = m[key]
    assert math.isfinite(entry["value"]) and entry["value"] > 0 and entry["baseline"] > 0, entry
    assert abs(entry["ratio"] - entry["value"] / entry["baseline"]) < 1e-6 * entry["ratio"], entry
assert m["cpu_per_gib_relay"]["value"] > 0 and m["cpu_per_gib_relay"]["baseline"] is None, m["cpu_per_gib_relay"]
assert 0.99 < m["spliced_share"]["value"] <= 1.0, m["spliced_share"]
for key in ("relay_memory_per_reservation", "relay_anonymous_memory_per_reservation"):
    entry = m[key]
    assert entry["unit"] == "KiB" and entry["baseline"] is None, entry
    assert math.isfinite(entry["value"]) and entry["value"] > 0, entry
idle_cpu = m["relay_idle_cpu_per_1000"]
assert idle_cpu["unit"] == "ms/s" and math.isfinite(idle_cpu["value"]) and idle_cpu["value"] >= 0, idle_cpu
idle = report["samples"]["idle_reservations"]
assert idle["reservations"] == 500 and 500 <= idle["sources"] * 64, idle  # at most 64 from one address
# Two descriptors per reservation in the relay: its control channel and its public port.
assert idle["relay_descriptors_after"] - idle["relay_descriptors_before"] == 2 * 500, idle
assert idle["relay_vmrss_kib_after"] > idle["relay_vmrss_kib_before"] > 0, idle
assert idle["idle_seconds"] >= idle["renewal_interval_seconds"] > 0, idle
targets = {t["key"]: t for t in report["targets"]}
assert set(targets) == {"goodput_relayed", "spliced_share", "relay_memory_per_reservation"}, targets
assert targets["goodput_relayed"]["threshold"] == 0.9 and targets["spliced_share"]["threshold"] == 0.99
assert targets["spliced_share"]["met"], targets
memory = targets["relay_memory_per_reservation"]
assert memory["comparison"] == "<=" and memory["threshold"] == 16, memory
assert memory["ratio"] == m["relay_memory_per_reservation"]["value"], memory
for t in targets.values():
    assert t["met"] == (t["ratio"] >= t["threshold"] if t["comparison"] == ">=" else t["ratio"] <= t["threshold"]), t
print("proxy.json: relayed %.0f MiB/s, direct %.0f MiB/s (ratio %.2f); relay %.2f s/GiB, %.4f spliced; "
      "%.1f KiB per idle reservation" % (
    m["goodput"]["value"], m["goodput"]["baseline"], m["goodput"]["ratio"], m["cpu_per_gib_relay"]["value"],
    m["spliced_share"]["value"], m["relay_memory_per_reservation"]["value"]))
PY
test_expect_grep "$TEST_TMP/proxy.out" '^  goodput, relayed / direct >= 0.900: [0-9.]+, (met|not met)$' "a target's verdict"
test_expect_grep "$TEST_TMP/proxy.out" '^  relay memory per idle reservation \(KiB\) <= 16.0: [0-9.]+, (met|not met)$' \
  "the idle reservations' verdict"
test_expect_grep "$TEST_TMP/proxy.log" '^mbench proxy \[2/6\]: 500 reservations, ' "the reservations' progress"
test_expect_grep "$TEST_TMP/proxy.log" '^mbench proxy \[6/6\]: run 1 of 1: direct' "progress on stderr"
if compgen -G "$TEST_TMP/mbench-proxy.*" >/dev/null; then test_fail "a temporary directory was left"; fi
if pgrep -f "mproxy --listen 127.0.0.2:0" >/dev/null; then test_fail "an mproxy was left running"; fi

expect_usage_error() { test_expect_usage_error "$1" "$MBENCH" proxy "${@:2}"; }
expect_usage_error 'invalid size for --size' --size 12x
expect_usage_error "unrecognised option '--bogus'" --bogus
expect_usage_error "--reservations wants a number from 0 to 100000, got '10x'" --reservations 10x
test_say "usage errors exit 2 and name the option"
test_say PASS
