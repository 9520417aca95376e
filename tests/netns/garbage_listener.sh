#!/usr/bin/env bash
# A keep-open listener shrugs off connections that are not msocket: 4 KiB of
# random bytes, then a connection that sends nothing and closes. A real mcat
# transfer of 1 MiB afterwards succeeds byte for byte (no garbage reaches
# stdout) and the listener is still running.
# Usage: garbage_listener.sh MCAT
set -euo pipefail
MCAT=${1:?usage: garbage_listener.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root socat
tb_require_exe "$MCAT"

SIZE=$((1024 * 1024))

tb_topology_client_router_server
tb_random_file "$TB_TMP/garbage.bin" 4096
tb_random_file "$TB_TMP/in.bin" "$SIZE"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -k -v -p 7000 \
  </dev/null >"$TB_TMP/srv.out" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" 'listening on .*:7000' 10 || tb_fail "server never said 'listening on'"

# Both may be cut short by the server (reset); only the listener matters.
tb_spawn "$TB_CLI" 15 socat -u "OPEN:$TB_TMP/garbage.bin" "TCP:$TB_SRV_ADDR:7000" \
  </dev/null >/dev/null 2>"$TB_TMP/garbage.log"
status=0; tb_wait_pid "$TB_PID" || status=$?
tb_say "sent 4 KiB of random bytes (socat status $status)"
tb_running "$server" || tb_fail "listener died after random bytes"

tb_spawn "$TB_CLI" 15 socat -u /dev/null "TCP:$TB_SRV_ADDR:7000" \
  </dev/null >/dev/null 2>"$TB_TMP/empty.log"
status=0; tb_wait_pid "$TB_PID" || status=$?
tb_say "opened and closed an empty connection (socat status $status)"
tb_running "$server" || tb_fail "listener died after an empty connection"

tb_spawn "$TB_CLI" 60 "$MCAT" -v "$TB_SRV_ADDR" 7000 \
  <"$TB_TMP/in.bin" >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
tb_expect_exit "$TB_PID" client
tb_wait_for_size "$TB_TMP/srv.out" "$SIZE" 10 "$server" || true
tb_expect_same "$TB_TMP/in.bin" "$TB_TMP/srv.out" "client -> listener"
tb_running "$server" || tb_fail "listener is no longer running"
tb_say "listener still running"
tb_say "PASS"
