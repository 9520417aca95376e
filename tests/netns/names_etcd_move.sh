#!/usr/bin/env bash
# mnamed on an etcd cluster (three members in three namespaces) with two
# front ends: the server registers through front end 1; the client looks
# the name up and watches it through front end 2, and so does an
# `mnamed watch`. The server moves (10.200.2.2 -> 10.200.6.2) mid-transfer:
# its new record, written through front end 1, reaches the watches held on
# front end 2 through etcd's watch, and the transfer completes intact.
# Usage: names_etcd_move.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=etcd_lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/etcd_lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq etcd etcdctl

SIZE=$((8 * 1024 * 1024))
HELD=$((SIZE / 4))  # sent only once the server has moved
MOVED=$TEST_TMP/moved

tb_topology_etcd
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 50mbit
tb_start_etcd_cluster
tb_start_front_ends "$MNAMED"
test_random_file "$TEST_TMP/down.bin" "$SIZE"

send="head -c $((SIZE - HELD)) $TEST_TMP/down.bin; until [ -e $MOVED ]; do sleep 0.05; done; \
tail -c $HELD $TEST_TMP/down.bin"
tb_spawn "$TB_SRV" 120 "$MCAT" -l -v --names "$TB_FE1" --name srv --key "$TEST_TMP/srv.key" -p 7000 -c "$send" \
  </dev/null 2>"$TEST_TMP/srv.log"
TB_SERVER=$TB_PID
test_wait_for_line "$TEST_TMP/srv.log" 'registered srv at 10.200.2.2:7000' 10 ||
  test_fail "the server did not register through front end 1"
test_say "server registered through front end 1: $(tb_mnamed "$MNAMED" lookup --no-pin --server "$TB_FE2" srv | jq -c .addresses) (read through front end 2)"

tb_spawn "$TB_CLI" 60 "$MNAMED" watch -v --server "$TB_FE2" srv >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.log"
test_wait_for_line "$TEST_TMP/watch.log" 'watching srv after version' 10 || test_fail "mnamed watch did not start"
tb_spawn "$TB_CLI" 120 "$MCAT" -vv --names "$TB_FE2" --stats "$TEST_TMP/cli.json" srv \
  </dev/null >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
TB_CLIENT=$TB_PID
test_wait_for_line "$TEST_TMP/cli.log" 'connected to 10.200.2.2:7000' 10 || test_fail "the client did not connect by name"
test_wait_for_size "$TEST_TMP/cli.out" "$HELD" 30 || test_fail "the download stalled"
test_running "$TB_CLIENT" || test_fail "the client ended before the move"

test_say "server moves 10.200.2.2 -> 10.200.6.2 at $(test_file_size "$TEST_TMP/cli.out") bytes received"
moved_at=$(test_now_us)
tb_move_server 10.200.6.2/24 10.200.6.1
touch "$MOVED"
test_wait_for_line "$TEST_TMP/srv.log" 'registered srv at 10.200.6.2:7000' 15 ||
  test_fail "the server did not re-register through front end 1"
test_wait_for_line "$TEST_TMP/watch.out" '10\.200\.6\.2:7000' 10 ||
  test_fail "the watch on front end 2 did not see the new address"
test_say "the watch on front end 2 fired $((($(test_now_us) - moved_at) / 1000)) ms after the move"
test_wait_for_line "$TEST_TMP/cli.log" 'migrated conn=' 20 || test_fail "the client never migrated"
test_wait_for_line "$TEST_TMP/cli.log" 'srv now at 10\.200\.6\.2:7000' 10 ||
  test_fail "the client's own watch (front end 2) did not fire"

test_expect_exit "$TB_CLIENT" client
cmp -s "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" ||
  test_fail "the client received $(test_file_size "$TEST_TMP/cli.out") bytes that differ from what was sent"
test_say "download intact: sha256 $(sha256sum <"$TEST_TMP/cli.out" | cut -c1-16)… on both ends"
test_say "PASS"
