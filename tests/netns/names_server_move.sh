#!/usr/bin/env bash
# Server mobility (paper §III-B3): 20 clients download 4 MiB each, by name,
# from one server; while every download is under way the server's address
# changes (10.200.2.2 -> 10.200.6.2, delete-then-add). The server
# re-registers its name and sends RECONNECT to every client; every download
# must finish with the right checksum, and each client must report exactly
# one migration, of cause server-move.
# No download can end before the move, whatever share of the link each
# gets: the server holds back the last quarter of every download until it
# has moved, and moves once every client has its first quarter.
# Usage: names_server_move.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq

CLIENTS=${MSOCKET_TEST_CLIENTS:-20}
SIZE=$((4 * 1024 * 1024))
HELD=$((SIZE / 4))  # sent only once the server has moved
MOVED=$TEST_TMP/moved

tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 100mbit
tb_start_names "$MNAMED"
test_random_file "$TEST_TMP/down.bin" "$SIZE"

# What each connection gets (mcat -c runs it through /bin/sh).
send="head -c $((SIZE - HELD)) $TEST_TMP/down.bin; until [ -e $MOVED ]; do sleep 0.05; done; \
tail -c $HELD $TEST_TMP/down.bin"
tb_start_named_server 120 -k -c "$send"
test_say "server registered: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"

clients=()
for ((i = 1; i <= CLIENTS; i++)); do
  tb_spawn "$TB_CLI" 120 "$MCAT" -vv --names "$TB_NAMES" --stats "$TEST_TMP/cli$i.json" srv \
    </dev/null >"$TEST_TMP/cli$i.out" 2>"$TEST_TMP/cli$i.log"
  clients+=("$TB_PID")
done
for ((i = 1; i <= CLIENTS; i++)); do
  test_wait_for_line "$TEST_TMP/cli$i.log" 'connected to 10.200.2.2:7000' 10 || test_fail "client $i did not connect"
done
test_say "$CLIENTS clients downloading $((SIZE >> 20)) MiB each at 100 Mbit/s in all"

received() {
  local total=0 i
  for ((i = 1; i <= CLIENTS; i++)); do total=$((total + $(test_file_size "$TEST_TMP/cli$i.out"))); done
  echo "$total"
}
every_client_under_way() {
  local i
  for ((i = 1; i <= CLIENTS; i++)); do test_has_size "$TEST_TMP/cli$i.out" "$HELD" || return 1; done
}
test_wait_until 60 every_client_under_way || test_fail "the downloads stalled at $(received) bytes"
for ((i = 1; i <= CLIENTS; i++)); do
  test_running "${clients[i - 1]}" || test_fail "client $i ended before the move"
done

test_say "server moves 10.200.2.2 -> 10.200.6.2 at $(received) bytes received"
moved_at=$(test_now_us)
tb_move_server 10.200.6.2/24 10.200.6.1
touch "$MOVED"

for ((i = 1; i <= CLIENTS; i++)); do
  test_wait_for_line "$TEST_TMP/cli$i.log" 'migrated conn=' 20 || test_fail "client $i never migrated"
done
all_back_ms=$((($(test_now_us) - moved_at) / 1000))
test_say "all $CLIENTS clients migrated within ${all_back_ms} ms of the move (as seen by this script)"
grep -q 'registered srv at 10.200.6.2:7000' "$TEST_TMP/srv.log" || test_fail "the server did not re-register"
test_say "name now: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"

for ((i = 1; i <= CLIENTS; i++)); do
  test_expect_exit "${clients[i - 1]}" "client $i"
  cmp -s "$TEST_TMP/down.bin" "$TEST_TMP/cli$i.out" ||
    test_fail "client $i received $(test_file_size "$TEST_TMP/cli$i.out") bytes that differ from what was sent"
  tb_expect_migrations "$TEST_TMP/cli$i.json" 1 server-move
done
test_say "all $CLIENTS downloads intact; each client reports one server-move migration"
recoveries=$(jq -s '[.[].migrations[0].recovery_ms] | sort' "$TEST_TMP"/cli*.json)
test_say "client recovery times (ms): min $(jq '.[0]' <<<"$recoveries")," \
  "median $(jq '.[length / 2 | floor]' <<<"$recoveries"), max $(jq '.[-1]' <<<"$recoveries")"
kill -TERM "$TB_SERVER" 2>/dev/null || true
test_say "PASS"
