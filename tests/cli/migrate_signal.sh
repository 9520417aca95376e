#!/usr/bin/env bash
# SIGUSR1 asks the client to migrate now: it drops its flowpath, opens a new
# one and resumes the exact byte stream. Data sent before and after the
# signal arrives whole both ways, the -v line `migrated conn=... path=N
# cause=application recovery_ms=X local=ADDR:PORT` appears, and --stats
# lists the migration.
# Usage: migrate_signal.sh MCAT
set -euo pipefail
MCAT=${1:?usage: migrate_signal.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands sha256sum pgrep
cli_require_exe "$MCAT"

for part in up1 up2 down1 down2; do cli_random_file "$CLI_TMP/$part.bin" $((1024 * 1024)); done
cat "$CLI_TMP/up1.bin" "$CLI_TMP/up2.bin" >"$CLI_TMP/up.bin"
cat "$CLI_TMP/down1.bin" "$CLI_TMP/down2.bin" >"$CLI_TMP/down.bin"
PART=$((1024 * 1024))

cli_fifo srv_in; srv_in=$CLI_FIFO_FD
cli_fifo cli_in; cli_in=$CLI_FIFO_FD
cli_listen srv 40 "$MCAT" -l -v 127.0.0.1 0 <"$CLI_TMP/srv_in" >"$CLI_TMP/srv.out"
server=$CLI_PID
cli_spawn 40 "$MCAT" -v --stats "$CLI_TMP/cli.json" 127.0.0.1 "$CLI_PORT" \
  <"$CLI_TMP/cli_in" >"$CLI_TMP/cli.out" 2>"$CLI_TMP/cli.log"
client=$CLI_PID
client_mcat=$(cli_child_pid "$client")
cli_wait_for_line "$CLI_TMP/cli.log" 'connected to' 5000 || cli_fail "the client never connected"

cli_fifo_write "$cli_in" "$CLI_TMP/up1.bin"
cli_fifo_write "$srv_in" "$CLI_TMP/down1.bin"
cli_wait_for_size "$CLI_TMP/srv.out" "$PART" 10000 || cli_fail "first part never reached the server"
cli_wait_for_size "$CLI_TMP/cli.out" "$PART" 10000 || cli_fail "first part never reached the client"

kill -USR1 "$client_mcat"
cli_wait_for_line "$CLI_TMP/cli.log" \
  'migrated conn=[0-9a-f]+ path=[0-9]+ cause=application recovery_ms=[0-9.]+ local=127\.0\.0\.1:[0-9]+' 10000 ||
  cli_fail "no 'migrated ... cause=application' line after SIGUSR1"
cli_say "$(grep -oE 'migrated conn=.*' "$CLI_TMP/cli.log" | head -n 1)"

cli_fifo_write "$cli_in" "$CLI_TMP/up2.bin"
cli_fifo_write "$srv_in" "$CLI_TMP/down2.bin"
cli_fifo_close "$cli_in"
cli_fifo_close "$srv_in"
cli_expect_exit "$client" client 0
cli_expect_exit "$server" server 0
cli_expect_same "$CLI_TMP/up.bin" "$CLI_TMP/srv.out" "client -> server across the migration"
cli_expect_same "$CLI_TMP/down.bin" "$CLI_TMP/cli.out" "server -> client across the migration"

if command -v jq >/dev/null 2>&1; then
  jq -e '(.migrations | length) == 1 and .migrations[0].cause == "application"
         and (.migrations[0].recovery_ms | type == "number")
         and (.migrations[0].outage_ms | type == "number") and .flowpaths_opened >= 2' \
    "$CLI_TMP/cli.json" >/dev/null ||
    cli_fail "--stats does not show one application migration: $(cat "$CLI_TMP/cli.json")"
  cli_say "stats: $(cat "$CLI_TMP/cli.json")"
fi
cli_say PASS
