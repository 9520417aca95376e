#!/usr/bin/env bash
# A stranger who knows a connection id cannot move it: while a transfer runs,
# the router sends the server a MIGRATE for that connection with a wrong MAC
# (tests/tools/forge_migrate). The server must refuse it (warn line with
# "refused" and the conn id), and the transfer must finish intact with no
# migration on either end.
# Usage: forged_migrate.sh MCAT FORGE_MIGRATE
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT FORGE_MIGRATE -- "$@"
tb_require_root jq

SIZE=$((24 * 1024 * 1024))

tb_start_transfer "$SIZE" "$SIZE" 40mbit -vv
test_wait_for_line "$TEST_TMP/srv.log" 'accepted conn=[0-9a-f]{16}' 10 || test_fail "server never said 'accepted conn='"
conn=$(grep -oE 'accepted conn=[0-9a-f]{16}' "$TEST_TMP/srv.log" | head -n 1)
conn=${conn#accepted conn=}
test_say "transfer running on conn=$conn; forging a MIGRATE from the router"

tb_spawn "$TB_RTR" 20 "$FORGE_MIGRATE" "$TB_SRV_ADDR" "$TB_PORT" "$conn" \
  </dev/null >"$TEST_TMP/forge.log" 2>&1
status=0; test_wait_pid "$TB_PID" || status=$?
sed 's/^/  forge: /' "$TEST_TMP/forge.log"
case $status in
  0) test_say "forge_migrate: the server refused the forged MIGRATE" ;;
  1) test_fail "the server ACCEPTED a MIGRATE with a wrong MAC" ;;
  *) test_fail "forge_migrate failed (status $status)" ;;
esac
test_running "$TB_CLIENT" || test_fail "the transfer ended before the forgery; the test proves nothing"

test_wait_for_line "$TEST_TMP/srv.log" "refused.*conn=$conn|conn=$conn.*refused" 10 ||
  test_fail "server logged no 'refused ... conn=$conn' line"
refusal=$(grep -E "refused.*conn=$conn|conn=$conn.*refused" "$TEST_TMP/srv.log" | head -n 1)
grep -qiE 'warn|wrn' <<<"$refusal" || test_fail "refusal not logged at warn level: $refusal"
test_say "server log: ${refusal}"

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 0
tb_expect_migrations "$TEST_TMP/srv.json" 0
test_say "no migration on either end"
test_say "PASS"
