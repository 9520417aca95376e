#!/usr/bin/env bash
# mbench energy --power-trace integrates measured power traces (time_s,
# power_mW) without a testbed: a small trace with a known answer (3 J over
# 2 s, 1500 mW on average) in the table, JSON and CSV; a malformed trace is
# refused with exit status 1 and a message that names the file and the line;
# --power-trace with --sizes is a usage error (2).
# Usage: mbench_energy_trace.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
test_require_commands jq

# 1 W for 1 s, then a ramp from 1 W to 3 W over 1 s: 1 J + 2 J.
printf '# exported by a power monitor\ntime_s,power_mW\n0,1000\n0.5,1000\n1,1000\n2,3000\n' >"$TEST_TMP/phone.csv"
test_run trace 0 10 "$MBENCH" energy --power-trace "$TEST_TMP/phone.csv" --json "$TEST_TMP/trace.json" \
  --csv "$TEST_TMP/trace.csv"
jq -e '.benchmark == "energy" and .settings.source == "power-trace"' "$TEST_TMP/trace.json" >/dev/null ||
  test_fail "trace.json is not an energy report: $(head -c 400 "$TEST_TMP/trace.json")"
value() { jq -r --arg key "$1" '.measurements[] | select(.key == $key) | .value' "$TEST_TMP/trace.json"; }
[[ $(value phone_energy) == 3 ]] || test_fail "energy: expected 3 J, got '$(value phone_energy)'"
[[ $(value phone_duration) == 2 ]] || test_fail "duration: expected 2 s, got '$(value phone_duration)'"
[[ $(value phone_mean_power) == 1500 ]] || test_fail "mean power: expected 1500 mW, got '$(value phone_mean_power)'"
test_expect_grep "$TEST_TMP/trace.out" '^phone: energy +J +3\.000' "the table"
test_expect_grep "$TEST_TMP/trace.csv" '^energy,phone_energy,phone: energy,J,3,' "the CSV"
test_say "known answer: 3 J over 2 s, 1500 mW (table, JSON, CSV)"

printf 'time_s,power_mW\n0,100\n1,100\n2,lots\n3,100\n' >"$TEST_TMP/broken.csv"
test_run broken 1 10 "$MBENCH" energy --power-trace "$TEST_TMP/broken.csv"
test_expect_grep "$TEST_TMP/broken.log" "broken\.csv: line 4: power 'lots' is not a number" "the error"
[[ ! -s $TEST_TMP/broken.out ]] || test_fail "a malformed trace still printed a table: $(cat "$TEST_TMP/broken.out")"
test_say "malformed trace: $(head -1 "$TEST_TMP/broken.log")"

test_run usage 2 10 "$MBENCH" energy --power-trace "$TEST_TMP/phone.csv" --sizes 4MiB
test_say "--power-trace with --sizes: usage error"
test_say PASS
