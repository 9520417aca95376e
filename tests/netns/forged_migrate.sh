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

tb_start_transfer "$SIZE" "$SIZE" 40mbit -vv
PORT=$TB_PORT
client=$TB_CLIENT
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

tb_expect_transfer_done
for side in cli srv; do
  migrations=$(tb_migrations "$TB_TMP/$side.json")
  ((migrations == 0)) || tb_fail "$side stats list $migrations migrations, expected 0"
done
tb_say "no migration on either end"
tb_say "PASS"
