#!/usr/bin/env bash
# mbench energy --power-trace integrates measured power traces (time_s,
# power_mW) without a testbed: a small trace with a known answer (3 J over
# 2 s, 1500 mW on average) in the table, JSON and CSV; a malformed trace is
# refused with exit status 1 and a message that names the file and the line;
# --power-trace with --sizes is a usage error (2).
# Usage: mbench_energy_trace.sh MBENCH
set -euo pipefail
MBENCH=${1:?usage: mbench_energy_trace.sh MBENCH}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands jq
cli_require_exe "$MBENCH"

# 1 W for 1 s, then a ramp from 1 W to 3 W over 1 s: 1 J + 2 J.
printf '# exported by a power monitor\ntime_s,power_mW\n0,1000\n0.5,1000\n1,1000\n2,3000\n' >"$CLI_TMP/phone.csv"
status=0
timeout 10 "$MBENCH" energy --power-trace "$CLI_TMP/phone.csv" --json "$CLI_TMP/trace.json" \
  --csv "$CLI_TMP/trace.csv" >"$CLI_TMP/table.txt" 2>"$CLI_TMP/trace.log" || status=$?
((status == 0)) || cli_fail "mbench energy --power-trace exited with status $status"
jq -e '.benchmark == "energy" and .settings.source == "power-trace"' "$CLI_TMP/trace.json" >/dev/null ||
  cli_fail "trace.json is not an energy report: $(head -c 400 "$CLI_TMP/trace.json")"
value() { jq -r --arg key "$1" '.measurements[] | select(.key == $key) | .value' "$CLI_TMP/trace.json"; }
[[ $(value phone_energy) == 3 ]] || cli_fail "energy: expected 3 J, got '$(value phone_energy)'"
[[ $(value phone_duration) == 2 ]] || cli_fail "duration: expected 2 s, got '$(value phone_duration)'"
[[ $(value phone_mean_power) == 1500 ]] || cli_fail "mean power: expected 1500 mW, got '$(value phone_mean_power)'"
cli_expect_grep "$CLI_TMP/table.txt" '^phone: energy +J +3\.000' "the table"
cli_expect_grep "$CLI_TMP/trace.csv" '^energy,phone_energy,phone: energy,J,3,' "the CSV"
cli_say "known answer: 3 J over 2 s, 1500 mW (table, JSON, CSV)"

printf 'time_s,power_mW\n0,100\n1,100\n2,lots\n3,100\n' >"$CLI_TMP/broken.csv"
status=0
timeout 10 "$MBENCH" energy --power-trace "$CLI_TMP/broken.csv" >"$CLI_TMP/broken.out" 2>"$CLI_TMP/broken.log" ||
  status=$?
((status == 1)) || cli_fail "a malformed trace: expected exit status 1, got $status"
cli_expect_grep "$CLI_TMP/broken.log" "broken\.csv: line 4: power 'lots' is not a number" "the error"
[[ ! -s $CLI_TMP/broken.out ]] || cli_fail "a malformed trace still printed a table: $(cat "$CLI_TMP/broken.out")"
cli_say "malformed trace: $(head -1 "$CLI_TMP/broken.log")"

status=0
timeout 10 "$MBENCH" energy --power-trace "$CLI_TMP/phone.csv" --sizes 4MiB >/dev/null 2>"$CLI_TMP/usage.log" ||
  status=$?
((status == 2)) || cli_fail "--power-trace with --sizes: expected exit status 2, got $status"
cli_say "--power-trace with --sizes: usage error"
cli_say PASS
