#!/usr/bin/env bash
# Port forwarding for an unmodified TCP service survives a client move:
#   cli: socat client -> 127.0.0.1:2222 (mcat --local) ==msocket==>
#   srv: mcat -l -p 7000 --forward 127.0.0.1:9000 -> socat echo service
# 16 MiB go through and come back; the client moves halfway; the echo must
# equal the input.
# Usage: forward_move.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root socat ss

SIZE=$((16 * 1024 * 1024))

tb_topology_client_router_server 40mbit
test_random_file "$TEST_TMP/in.bin" "$SIZE"

# -t 30: after EOF from one side, keep relaying the other side up to 30 s.
tb_spawn "$TB_SRV" 120 socat -t 30 TCP-LISTEN:9000,bind=127.0.0.1,reuseaddr,fork EXEC:cat \
  </dev/null >/dev/null 2>"$TEST_TMP/echo.log"
tb_wait_for_listen "$TB_SRV" 9000 10 || test_fail "echo service not listening on 127.0.0.1:9000"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -v -p 7000 --forward 127.0.0.1:9000 \
  </dev/null >"$TEST_TMP/srv.out" 2>"$TEST_TMP/srv.log"
test_wait_for_line "$TEST_TMP/srv.log" 'listening on .*:7000' 10 || test_fail "server never said 'listening on'"

tb_spawn "$TB_CLI" 120 "$MCAT" -v --local 127.0.0.1:2222 "$TB_SRV_ADDR" 7000 \
  </dev/null >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
tb_wait_for_listen "$TB_CLI" 2222 10 || test_fail "mcat --local not listening on 127.0.0.1:2222"
test_say "forwarding 127.0.0.1:2222 (cli) -> $TB_SRV_ADDR:7000 -> 127.0.0.1:9000 (srv, echo)"

tb_spawn "$TB_CLI" 120 socat -t 60 STDIO TCP:127.0.0.1:2222 \
  <"$TEST_TMP/in.bin" >"$TEST_TMP/echo.out" 2>"$TEST_TMP/socat-client.log"
socat_client=$TB_PID

status=0
test_wait_for_size "$TEST_TMP/echo.out" $((SIZE / 2)) 60 "$socat_client" || status=$?
((status == 0)) || test_fail "only $(test_file_size "$TEST_TMP/echo.out") bytes echoed before the move"
tb_move_client 10.200.3.2/24 10.200.3.1
tb_wait_for_migration 1

test_expect_exit "$socat_client" "socat client"
test_expect_same "$TEST_TMP/in.bin" "$TEST_TMP/echo.out" "echo through the forward"
test_say "PASS"
