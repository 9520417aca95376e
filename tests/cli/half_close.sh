#!/usr/bin/env bash
# End of file goes one way at a time, as in nc.
#  1. The client's input ends while the server is still sending: the server
#     sees end of file (its standard output is complete and closed) while
#     the client goes on receiving; after the server's input ends too, the
#     client has everything and both exit 0.
#  2. With --no-shutdown the client's end of input is not passed on: the
#     server's standard output stays open until the server closes its own
#     side; then the client closes too and both exit 0.
# The server's input is a FIFO the test holds, so the test decides when it
# ends; "the server saw end of file" is "mcat closed its descriptor 1".
# Usage: half_close.sh MCAT
set -euo pipefail
MCAT=${1:?usage: half_close.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands sha256sum pgrep
cli_require_exe "$MCAT"

cli_random_file "$CLI_TMP/up.bin" $((256 * 1024))
cli_random_file "$CLI_TMP/down1.bin" $((2 * 1024 * 1024))
cli_random_file "$CLI_TMP/down2.bin" $((2 * 1024 * 1024))
cat "$CLI_TMP/down1.bin" "$CLI_TMP/down2.bin" >"$CLI_TMP/down.bin"
DOWN1=$(cli_file_size "$CLI_TMP/down1.bin")

stdout_closed() { ! cli_fd_open "$1" 1; }

# --- 1. default: half-close ---------------------------------------------------
cli_fifo srv_in
srv_in=$CLI_FIFO_FD
cli_listen srv 40 "$MCAT" -l -v 127.0.0.1 0 <"$CLI_TMP/srv_in" >"$CLI_TMP/srv.out"
server=$CLI_PID
server_mcat=$(cli_child_pid "$server")
cli_spawn 40 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$CLI_TMP/up.bin" >"$CLI_TMP/cli.out" 2>"$CLI_TMP/cli.log"
client=$CLI_PID
cli_fifo_write "$srv_in" "$CLI_TMP/down1.bin"

cli_wait_until 10000 stdout_closed "$server_mcat" ||
  cli_fail "the server did not see end of file (its stdout still open) after the client's input ended"
cli_say "server saw end of file; its input is still open"
cli_expect_same "$CLI_TMP/up.bin" "$CLI_TMP/srv.out" "client -> server"
cli_wait_for_size "$CLI_TMP/cli.out" "$DOWN1" 10000 ||
  cli_fail "client received $(cli_file_size "$CLI_TMP/cli.out") of the first $DOWN1 bytes"
cli_running "$client" || cli_fail "client exited before the server finished sending"
cli_running "$server" || cli_fail "server exited before its input ended"

cli_fifo_write "$srv_in" "$CLI_TMP/down2.bin"
cli_fifo_close "$srv_in"
cli_expect_exit "$client" client 0
cli_expect_exit "$server" server 0
cli_expect_same "$CLI_TMP/down.bin" "$CLI_TMP/cli.out" "server -> client, after the client's EOF"

# --- 2. --no-shutdown ---------------------------------------------------------
cli_fifo srv2_in
srv2_in=$CLI_FIFO_FD
cli_listen srv2 40 "$MCAT" -l -v 127.0.0.1 0 <"$CLI_TMP/srv2_in" >"$CLI_TMP/srv2.out"
server=$CLI_PID
server_mcat=$(cli_child_pid "$server")
cli_spawn 40 "$MCAT" -v --no-shutdown 127.0.0.1 "$CLI_PORT" \
  <"$CLI_TMP/up.bin" >"$CLI_TMP/cli2.out" 2>"$CLI_TMP/cli2.log"
client=$CLI_PID
cli_fifo_write "$srv2_in" "$CLI_TMP/down1.bin"

cli_wait_for_size "$CLI_TMP/srv2.out" "$(cli_file_size "$CLI_TMP/up.bin")" 10000 ||
  cli_fail "server received $(cli_file_size "$CLI_TMP/srv2.out") bytes of the client's input"
cli_wait_for_size "$CLI_TMP/cli2.out" "$DOWN1" 10000 ||
  cli_fail "client received $(cli_file_size "$CLI_TMP/cli2.out") of the first $DOWN1 bytes"
# A half-close would follow the data at once; give it a generous second.
if cli_wait_until 1000 stdout_closed "$server_mcat"; then
  cli_fail "--no-shutdown: the server saw end of file although only the client's input ended"
fi
cli_running "$client" || cli_fail "--no-shutdown: client exited while the server's side was open"
cli_say "--no-shutdown: server has all the client's data and no end of file"

cli_fifo_write "$srv2_in" "$CLI_TMP/down2.bin"
cli_fifo_close "$srv2_in"
cli_wait_until 10000 stdout_closed "$server_mcat" ||
  cli_fail "--no-shutdown: the server never saw end of file after closing its own side"
cli_expect_exit "$client" "client (--no-shutdown)" 0
cli_expect_exit "$server" "server (--no-shutdown peer)" 0
cli_expect_same "$CLI_TMP/up.bin" "$CLI_TMP/srv2.out" "--no-shutdown: client -> server"
cli_expect_same "$CLI_TMP/down.bin" "$CLI_TMP/cli2.out" "--no-shutdown: server -> client"
cli_say PASS
