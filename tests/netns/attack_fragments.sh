#!/usr/bin/env bash
# A peer that scatters one byte in every other offset of the window cannot
# make a receiver hold more than its window and a small constant
# (docs/protocol.md §4.5): tests/tools/attacker fragment-flood connects to
# `mcat -l --recv-only > /dev/null` (4 MiB window by default), confirms, and
# sends DATA of 1 byte at offsets 1, 3, 5, ... up to the window. The
# receiver's RSS may grow by at most twice the window and 16 MiB; its
# figures (before, peak, after) are printed.
# Usage: attack_fragments.sh MCAT ATTACKER
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT ATTACKER -- "$@"
tb_require_root ss

tb_topology_client_router_server
tb_start_listener 90 --recv-only </dev/null >/dev/null
receiver=$TB_LISTENER
sleep 0.5
before=$(tb_status_kib "$receiver" VmRSS)
tb_watch_program "$receiver" "$TEST_TMP/watch.txt"
test_say "receiver up: RSS $((before / 1024)) MiB"

status=0
ip netns exec "$TB_CLI" timeout 60 "$ATTACKER" fragment-flood "$TB_SRV_ADDR" 7000 30 \
  >"$TEST_TMP/flood.out" 2>"$TEST_TMP/flood.log" || status=$?
sed 's/^/  /' "$TEST_TMP/flood.out"
((status == 0)) || test_fail "the attacker failed (status $status): $(cat "$TEST_TMP/flood.log")"
window=$(grep -oE 'server window [0-9]+' "$TEST_TMP/flood.out" | awk '{ print $3 }')
frames=$(grep -oE 'frames sent=[0-9]+' "$TEST_TMP/flood.out" | cut -d= -f2)
[[ -n $window && -n $frames ]] || test_fail "the attacker said no window or frame count"
((frames > 0)) || test_fail "no fragment was sent"

peak=$(tb_watch_max "$TEST_TMP/watch.txt" 1)
if test_running "$receiver"; then
  hwm=$(tb_status_kib "$receiver" VmHWM)
  ((hwm > peak)) && peak=$hwm
  after=$(tb_status_kib "$receiver" VmRSS)
  after_text="$((after / 1024)) MiB"
else
  after_text="(the receiver had ended: its one connection is over)"
fi
bound=$((before + (2 * window + 16 * 1024 * 1024) / 1024))
test_say "receiver RSS: before $((before / 1024)) MiB, peak $((peak / 1024)) MiB, after $after_text"
test_say "bound: before + 2 x window ($((window >> 20)) MiB) + 16 MiB = $((bound / 1024)) MiB; $frames fragments sent"
((peak <= bound)) || test_fail "the receiver's RSS grew by $(((peak - before) / 1024)) MiB under $frames fragments"
test_say "PASS"
