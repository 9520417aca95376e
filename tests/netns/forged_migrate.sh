#!/usr/bin/env bash
# A stranger who knows a connection id cannot move it: while a transfer runs,
# the router sends the server a MIGRATE for that connection with a wrong MAC
# (tests/tools/forge_migrate). The server must refuse it (warn line with
# "refused" and the conn id), and the transfer must finish intact with no
# migration on either end.
# Usage: forged_migrate.sh MCAT FORGE_MIGRATE
set -euo pipefail
MCAT=${1:?usage: forged_migrate.sh MCAT FORGE_MIGRATE}
FORGE=${2:?usage: forged_migrate.sh MCAT FORGE_MIGRATE}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"
tb_require_exe "$FORGE"

SIZE=$((24 * 1024 * 1024))
PORT=7000

tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 40mbit
tb_rate_limit "$TB_RTR" "$TB_RTR_SRV_DEV" 40mbit
tb_random_file "$TB_TMP/up.bin" "$SIZE"
tb_random_file "$TB_TMP/down.bin" "$SIZE"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -vv -p "$PORT" --stats "$TB_TMP/srv.json" \
  <"$TB_TMP/down.bin" >"$TB_TMP/srv.out" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" "listening on .*:$PORT" 10 || tb_fail "server never said 'listening on'"

tb_spawn "$TB_CLI" 120 "$MCAT" -v --stats "$TB_TMP/cli.json" "$TB_SRV_ADDR" "$PORT" \
  <"$TB_TMP/up.bin" >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
client=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" 'accepted conn=[0-9a-f]{16}' 10 || tb_fail "server never said 'accepted conn='"
conn=$(grep -oE 'accepted conn=[0-9a-f]{16}' "$TB_TMP/srv.log" | head -n 1)
conn=${conn#accepted conn=}
tb_say "transfer running on conn=$conn; forging a MIGRATE from the router"

tb_spawn "$TB_RTR" 20 "$FORGE" "$TB_SRV_ADDR" "$PORT" "$conn" \
  </dev/null >"$TB_TMP/forge.log" 2>&1
status=0; tb_wait_pid "$TB_PID" || status=$?
sed 's/^/  forge: /' "$TB_TMP/forge.log"
case $status in
  0) tb_say "forge_migrate: the server refused the forged MIGRATE" ;;
  1) tb_fail "the server ACCEPTED a MIGRATE with a wrong MAC" ;;
  *) tb_fail "forge_migrate failed (status $status)" ;;
esac
tb_running "$client" || tb_fail "the transfer ended before the forgery; the test proves nothing"

tb_wait_for_line "$TB_TMP/srv.log" "refused.*conn=$conn|conn=$conn.*refused" 10 ||
  tb_fail "server logged no 'refused ... conn=$conn' line"
refusal=$(grep -E "refused.*conn=$conn|conn=$conn.*refused" "$TB_TMP/srv.log" | head -n 1)
grep -qiE 'warn|wrn' <<<"$refusal" || tb_fail "refusal not logged at warn level: $refusal"
tb_say "server log: ${refusal}"

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/up.bin" "$TB_TMP/srv.out" "client -> server"
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
for side in cli srv; do
  migrations=$(tb_migrations "$TB_TMP/$side.json")
  ((migrations == 0)) || tb_fail "$side stats list $migrations migrations, expected 0"
done
tb_say "no migration on either end"
tb_say "PASS"
