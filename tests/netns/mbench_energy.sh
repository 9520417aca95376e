#!/usr/bin/env bash
# mbench energy --quick: downloads over WiFi only, LTE only and both on the
# two-path testbed of mbench multipath (emulated links with delay), with the
# radio model applied to each interface's sampled bytes. Checked: the JSON
# and CSV are well formed; the three cases are there for every size; every
# download has positive energy and time; a single-path case wakes only its
# own radio, and "both" carried bytes on both interfaces; nothing is left
# behind. No timing thresholds.
# Usage: mbench_energy.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
tb_require_root jq

tb_run_mbench_quick energy 130 energy

json=$TEST_TMP/energy.json
expect() { jq -e "$1" "$json" >/dev/null || test_fail "energy.json: $2: $(jq -c '.runs' "$json" | head -c 800)"; }
expect '.benchmark == "energy" and .source == "model" and .settings.quick == true' "not a quick energy report"
expect '[.model.radios[].key] == ["wifi", "lte"] and all(.model.radios[]; .tail_s > 0 and .beta_mw > 0)' \
  "the model's radios"
expect '(.settings.sizes_bytes | length) >= 1 and (.runs | length) == 3 * (.settings.sizes_bytes | length)' \
  "one run per case and size"
expect '. as $r | all($r.settings.sizes_bytes[]; . as $size |
          ([$r.runs[] | select(.size_bytes == $size) | .case] | sort) == ["both", "lte", "wifi"])' \
  "the three cases for every size"
expect 'all(.runs[]; .joules.total > 0 and .seconds > 0 and .joules_per_mib > 0
          and (.joules.total - .joules.wifi - .joules.lte | fabs) < 1e-9)' "positive energy, total = sum of radios"
expect 'all(.runs[] | select(.case == "wifi"); .joules.wifi > 0 and .joules.lte == 0 and .interface_bytes.lte == 0)' \
  "WiFi only must wake only the WiFi radio"
expect 'all(.runs[] | select(.case == "lte"); .joules.lte > 0 and .joules.wifi == 0 and .interface_bytes.wifi == 0)' \
  "LTE only must wake only the LTE radio"
expect 'all(.runs[] | select(.case == "both"); .interface_bytes.wifi > 0 and .interface_bytes.lte > 0)' \
  "WiFi + LTE must carry bytes on both interfaces"
expect 'all(.runs[]; .interface_bytes.wifi + .interface_bytes.lte >= .size_bytes)' \
  "the interfaces carried at least the download"

lines=$(wc -l <"$TEST_TMP/energy.csv")
(( lines == 1 + $(jq '.runs | length' "$json") )) || test_fail "energy.csv: $lines lines: $(cat "$TEST_TMP/energy.csv")"
head -1 "$TEST_TMP/energy.csv" | grep -q '^benchmark,case,size_bytes,seconds,wifi_joules,lte_joules,total_joules' ||
  test_fail "energy.csv header: $(head -1 "$TEST_TMP/energy.csv")"
awk -F, 'NR > 1 && !($7 > 0) { exit 1 }' "$TEST_TMP/energy.csv" || test_fail "energy.csv: a total that is not positive"
test_say "energy.json and energy.csv: $(jq '.runs | length' "$json") downloads, each with positive energy"
test_say "PASS"
