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
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum pgrep

test_random_file "$TEST_TMP/up.bin" $((256 * 1024))
test_random_file "$TEST_TMP/down1.bin" $((2 * 1024 * 1024))
test_random_file "$TEST_TMP/down2.bin" $((2 * 1024 * 1024))
cat "$TEST_TMP/down1.bin" "$TEST_TMP/down2.bin" >"$TEST_TMP/down.bin"
DOWN1=$(test_file_size "$TEST_TMP/down1.bin")

stdout_closed() { ! cli_fd_open "$1" 1; }

# --- 1. default: half-close ---------------------------------------------------
cli_fifo srv_in
srv_in=$CLI_FIFO_FD
cli_listen srv 40 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv_in" >"$TEST_TMP/srv.out"
server=$CLI_PID
server_mcat=$(cli_child_pid "$server")
cli_spawn 40 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/up.bin" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$CLI_PID
cli_fifo_write "$srv_in" "$TEST_TMP/down1.bin"

test_wait_until 10 stdout_closed "$server_mcat" ||
  test_fail "the server did not see end of file (its stdout still open) after the client's input ended"
test_say "server saw end of file; its input is still open"
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> server"
test_wait_for_size "$TEST_TMP/cli.out" "$DOWN1" 10 ||
  test_fail "client received $(test_file_size "$TEST_TMP/cli.out") of the first $DOWN1 bytes"
test_running "$client" || test_fail "client exited before the server finished sending"
test_running "$server" || test_fail "server exited before its input ended"

cli_fifo_write "$srv_in" "$TEST_TMP/down2.bin"
cli_fifo_close "$srv_in"
test_expect_exit "$client" client 0
test_expect_exit "$server" server 0
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "server -> client, after the client's EOF"

# --- 2. --no-shutdown ---------------------------------------------------------
cli_fifo srv2_in
srv2_in=$CLI_FIFO_FD
cli_listen srv2 40 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv2_in" >"$TEST_TMP/srv2.out"
server=$CLI_PID
server_mcat=$(cli_child_pid "$server")
cli_spawn 40 "$MCAT" -v --no-shutdown 127.0.0.1 "$CLI_PORT" \
  <"$TEST_TMP/up.bin" >"$TEST_TMP/cli2.out" 2>"$TEST_TMP/cli2.log"
client=$CLI_PID
cli_fifo_write "$srv2_in" "$TEST_TMP/down1.bin"

test_wait_for_size "$TEST_TMP/srv2.out" "$(test_file_size "$TEST_TMP/up.bin")" 10 ||
  test_fail "server received $(test_file_size "$TEST_TMP/srv2.out") bytes of the client's input"
test_wait_for_size "$TEST_TMP/cli2.out" "$DOWN1" 10 ||
  test_fail "client received $(test_file_size "$TEST_TMP/cli2.out") of the first $DOWN1 bytes"
# A half-close would follow the data at once; give it a generous second.
if test_wait_until 1 stdout_closed "$server_mcat"; then
  test_fail "--no-shutdown: the server saw end of file although only the client's input ended"
fi
test_running "$client" || test_fail "--no-shutdown: client exited while the server's side was open"
test_say "--no-shutdown: server has all the client's data and no end of file"

cli_fifo_write "$srv2_in" "$TEST_TMP/down2.bin"
cli_fifo_close "$srv2_in"
test_wait_until 10 stdout_closed "$server_mcat" ||
  test_fail "--no-shutdown: the server never saw end of file after closing its own side"
test_expect_exit "$client" "client (--no-shutdown)" 0
test_expect_exit "$server" "server (--no-shutdown peer)" 0
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv2.out" "--no-shutdown: client -> server"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli2.out" "--no-shutdown: server -> client"
test_say PASS
