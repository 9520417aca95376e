#!/usr/bin/env bash
# A flood of NEWs, each followed by a reset, costs a listener nothing
# lasting (docs/protocol.md §3.1, §4.5): `mcat -l -k -c cat` takes 3000
# NEW+RST from the router (tests/tools/attacker new-flood) while a real
# client, from its own address, sends 24 MiB through the echo and moves;
# then another client does the same after the flood. Both get their bytes
# back exactly; the listener starts no child for a NEW that is never
# confirmed, and its memory stays bounded (RSS before, peak, after).
# Usage: attack_new_flood.sh MCAT ATTACKER
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT ATTACKER -- "$@"
tb_require_root ss

SIZE=$((24 * 1024 * 1024))
FLOOD=3000
MAX_RSS_KIB=$((64 * 1024))
MAX_CHILDREN=3

tb_topology_client_router_server 80mbit
test_random_file "$TEST_TMP/up.bin" "$SIZE"
tb_start_listener 170 -k -c cat </dev/null >/dev/null
server=$TB_SERVER
listener=$TB_LISTENER
sleep 0.5
before=$(tb_status_kib "$listener" VmRSS)
tb_watch_program "$listener" "$TEST_TMP/watch.txt"
test_say "listener up: RSS $((before / 1024)) MiB, $(tb_children "$listener") children"

# echo_transfer NAME NEWADDR GATEWAY: a client sends up.bin through the echo
# and moves to NEWADDR when half of it came back; it must get it all back.
echo_transfer() {
  local name=$1 address=$2 gateway=$3
  tb_start_exchange_client 120 "$SIZE" -v "$TB_SRV_ADDR" 7000
  test_wait_for_line "$TEST_TMP/cli.log" 'connected to ' 10 || test_fail "$name: the client did not connect"
  tb_wait_for_download $((SIZE / 2))
  tb_move_client "$address/24" "$gateway"
  tb_wait_for_migration 1
  test_expect_exit "$TB_CLIENT" "$name client"
  test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/cli.out" "$name: echo of $((SIZE >> 20)) MiB"
  for file in cli.out cli.log cli.json; do mv "$TEST_TMP/$file" "$TEST_TMP/$name-$file"; done
}

tb_spawn "$TB_RTR" 120 "$ATTACKER" new-flood "$TB_SRV_ADDR" 7000 "$FLOOD" </dev/null \
  >"$TEST_TMP/flood.out" 2>"$TEST_TMP/flood.log"
flood=$TB_PID
test_say "flood started: $FLOOD NEW+RST from the router (10.200.2.1)"
echo_transfer during 10.200.3.2 10.200.3.1
if test_running "$flood"; then
  test_say "the flood was still running when the first client finished"
else
  test_say "the flood ended before the first client finished"
fi
status=0; test_wait_pid "$flood" || status=$?
((status == 0)) || test_fail "the attacker failed (status $status): $(cat "$TEST_TMP/flood.log")"
sed 's/^/  /' "$TEST_TMP/flood.out"
ok=$(grep -oE 'ok=[0-9]+' "$TEST_TMP/flood.out" | head -n 1 | cut -d= -f2)
((ok > 0)) || test_fail "no NEW of the flood was answered ok: the attack proves nothing"

echo_transfer after 10.200.4.2 10.200.4.1
sleep 2  # what the flood left is freed at once; give the listener a moment
test_running "$server" || test_fail "the listener stopped"
after=$(tb_status_kib "$listener" VmRSS)
hwm=$(tb_status_kib "$listener" VmHWM)
peak=$(tb_watch_max "$TEST_TMP/watch.txt" 1)
((hwm > peak)) && peak=$hwm
children=$(tb_watch_max "$TEST_TMP/watch.txt" 2)
test_say "listener RSS: before $((before / 1024)) MiB, peak $((peak / 1024)) MiB, after $((after / 1024)) MiB (bound $((MAX_RSS_KIB / 1024)) MiB)"
test_say "listener children: at most $children at once, $(tb_children "$listener") now (bound $MAX_CHILDREN)"
((peak <= MAX_RSS_KIB)) || test_fail "the listener's RSS peaked at $((peak / 1024)) MiB"
((children <= MAX_CHILDREN)) || test_fail "the listener had $children children at once"
test_say "PASS"
