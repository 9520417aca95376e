#!/usr/bin/env bash
# SIGUSR1 asks the client to migrate now: it drops its flowpath, opens a new
# one and resumes the exact byte stream. Data sent before and after the
# signal arrives whole both ways, the -v line `migrated conn=... path=N
# cause=application recovery_ms=X local=ADDR:PORT` appears, and --stats
# lists the migration.
# Usage: migrate_signal.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum pgrep

for part in up1 up2 down1 down2; do test_random_file "$TEST_TMP/$part.bin" $((1024 * 1024)); done
cat "$TEST_TMP/up1.bin" "$TEST_TMP/up2.bin" >"$TEST_TMP/up.bin"
cat "$TEST_TMP/down1.bin" "$TEST_TMP/down2.bin" >"$TEST_TMP/down.bin"
PART=$((1024 * 1024))

cli_fifo srv_in; srv_in=$CLI_FIFO_FD
cli_fifo cli_in; cli_in=$CLI_FIFO_FD
cli_listen srv 40 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv_in" >"$TEST_TMP/srv.out"
server=$CLI_PID
cli_spawn 40 "$MCAT" -v --stats "$TEST_TMP/cli.json" 127.0.0.1 "$CLI_PORT" \
  <"$TEST_TMP/cli_in" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$CLI_PID
client_mcat=$(cli_child_pid "$client")
test_wait_for_line "$TEST_TMP/cli.log" 'connected to' 5 || test_fail "the client never connected"

cli_fifo_write "$cli_in" "$TEST_TMP/up1.bin"
cli_fifo_write "$srv_in" "$TEST_TMP/down1.bin"
test_wait_for_size "$TEST_TMP/srv.out" "$PART" 10 || test_fail "first part never reached the server"
test_wait_for_size "$TEST_TMP/cli.out" "$PART" 10 || test_fail "first part never reached the client"

kill -USR1 "$client_mcat"
test_wait_for_line "$TEST_TMP/cli.log" \
  'migrated conn=[0-9a-f]+ path=[0-9]+ cause=application recovery_ms=[0-9.]+ local=127\.0\.0\.1:[0-9]+' 10 ||
  test_fail "no 'migrated ... cause=application' line after SIGUSR1"
test_say "$(grep -oE 'migrated conn=.*' "$TEST_TMP/cli.log" | head -n 1)"

cli_fifo_write "$cli_in" "$TEST_TMP/up2.bin"
cli_fifo_write "$srv_in" "$TEST_TMP/down2.bin"
# Both streams whole before the client's end of file, which ends the
# connection at the listener (ncat's rule) whatever it has not sent yet.
test_wait_for_size "$TEST_TMP/srv.out" $((2 * PART)) 10 || test_fail "second part never reached the server"
test_wait_for_size "$TEST_TMP/cli.out" $((2 * PART)) 10 || test_fail "second part never reached the client"
cli_fifo_close "$cli_in"
test_expect_exit "$client" client 0
test_expect_exit "$server" server 0
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> server across the migration"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "server -> client across the migration"

if command -v jq >/dev/null 2>&1; then
  jq -e '(.migrations | length) == 1 and .migrations[0].cause == "application"
         and (.migrations[0].recovery_ms | type == "number")
         and (.migrations[0].outage_ms | type == "number") and .flowpaths_opened >= 2' \
    "$TEST_TMP/cli.json" >/dev/null ||
    test_fail "--stats does not show one application migration: $(cat "$TEST_TMP/cli.json")"
  test_say "stats: $(cat "$TEST_TMP/cli.json")"
fi
test_say PASS
