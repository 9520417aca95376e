#!/usr/bin/env bash
# A keep-open listener shrugs off connections that are not msocket: 4 KiB of
# random bytes, then a connection that sends nothing and closes. A real mcat
# transfer of 1 MiB afterwards succeeds byte for byte (no garbage reaches
# stdout) and the listener is still running.
# Usage: garbage_listener.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root socat

SIZE=$((1024 * 1024))

tb_topology_client_router_server
test_random_file "$TEST_TMP/garbage.bin" 4096
test_random_file "$TEST_TMP/in.bin" "$SIZE"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -k -v -p 7000 \
  </dev/null >"$TEST_TMP/srv.out" 2>"$TEST_TMP/srv.log"
server=$TB_PID
test_wait_for_line "$TEST_TMP/srv.log" 'listening on .*:7000' 10 || test_fail "server never said 'listening on'"

# Both may be cut short by the server (reset); only the listener matters.
tb_spawn "$TB_CLI" 15 socat -u "OPEN:$TEST_TMP/garbage.bin" "TCP:$TB_SRV_ADDR:7000" \
  </dev/null >/dev/null 2>"$TEST_TMP/garbage.log"
status=0; test_wait_pid "$TB_PID" || status=$?
test_say "sent 4 KiB of random bytes (socat status $status)"
test_running "$server" || test_fail "listener died after random bytes"

tb_spawn "$TB_CLI" 15 socat -u /dev/null "TCP:$TB_SRV_ADDR:7000" \
  </dev/null >/dev/null 2>"$TEST_TMP/empty.log"
status=0; test_wait_pid "$TB_PID" || status=$?
test_say "opened and closed an empty connection (socat status $status)"
test_running "$server" || test_fail "listener died after an empty connection"

tb_spawn "$TB_CLI" 60 "$MCAT" -v "$TB_SRV_ADDR" 7000 \
  <"$TEST_TMP/in.bin" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
test_expect_exit "$TB_PID" client
test_wait_for_size "$TEST_TMP/srv.out" "$SIZE" 10 "$server" || true
test_expect_same "$TEST_TMP/in.bin" "$TEST_TMP/srv.out" "client -> listener"
test_running "$server" || test_fail "listener is no longer running"
test_say "listener still running"
test_say "PASS"
