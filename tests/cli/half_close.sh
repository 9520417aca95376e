#!/usr/bin/env bash
# End of file goes one way at a time, as in ncat: at the end of its input
# either end shuts down writing and goes on reading.
#  1. The client's input ends first: the listener's child (-c) reads all of
#     it and sees end of file, and only then sends; the client, its input
#     long over, receives everything; both exit 0.
#  2. The listener's input ends first: a --send-only client (which ignores
#     the listener's end of file, as ncat's does) goes on sending and the
#     listener goes on reading; when the client's input ends, both exit 0.
#  3. With --no-shutdown the client's end of input is not passed on: the
#     server's standard output stays open until the server closes its own
#     side; then the client closes too and both exit 0.
# Inputs that must not end yet are FIFOs the test holds; "the server saw end
# of file" is "mcat closed its descriptor 1".
# Usage: half_close.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum pgrep

test_random_file "$TEST_TMP/up.bin" $((256 * 1024))
test_random_file "$TEST_TMP/up2.bin" $((256 * 1024))
test_random_file "$TEST_TMP/down1.bin" $((2 * 1024 * 1024))
test_random_file "$TEST_TMP/down2.bin" $((2 * 1024 * 1024))
cat "$TEST_TMP/down1.bin" "$TEST_TMP/down2.bin" >"$TEST_TMP/down.bin"
cat "$TEST_TMP/up.bin" "$TEST_TMP/up2.bin" >"$TEST_TMP/upup.bin"
UP=$(test_file_size "$TEST_TMP/up.bin")
DOWN1=$(test_file_size "$TEST_TMP/down1.bin")

stdout_closed() { ! cli_fd_open "$1" 1; }

# --- 1. the client's input ends first -----------------------------------------
cli_fifo srv_in
srv_in=$CLI_FIFO_FD
# The child keeps what the client sends, then sends what the test gives it.
cli_listen srv 40 "$MCAT" -l -v -c "cat >'$TEST_TMP/srv.out'; cat '$TEST_TMP/srv_in'" 127.0.0.1 0 \
  </dev/null >/dev/null
server=$CLI_PID
cli_spawn 40 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/up.bin" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$CLI_PID
test_wait_for_size "$TEST_TMP/srv.out" "$UP" 10 ||
  test_fail "the listener's child received $(test_file_size "$TEST_TMP/srv.out") of $UP bytes"
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> listener"
cli_fifo_write "$srv_in" "$TEST_TMP/down1.bin"
test_wait_for_size "$TEST_TMP/cli.out" "$(test_file_size "$TEST_TMP/down1.bin")" 10 ||
  test_fail "the client, its input over, received $(test_file_size "$TEST_TMP/cli.out") bytes"
test_running "$client" || test_fail "the client exited before the listener finished sending"
test_say "client's input over; it goes on receiving"
cli_fifo_write "$srv_in" "$TEST_TMP/down2.bin"
cli_fifo_close "$srv_in"
test_expect_exit "$client" client 0
test_expect_exit "$server" server 0
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "listener -> client, after the client's EOF"

# --- 2. the listener's input ends first ----------------------------------------
cli_fifo cli_in
cli_in=$CLI_FIFO_FD
cli_listen srv1 40 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/down1.bin" >"$TEST_TMP/srv1.out"
server=$CLI_PID
cli_spawn 40 "$MCAT" -v --send-only 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/cli_in" >/dev/null 2>"$TEST_TMP/cli1.log"
client=$CLI_PID
cli_fifo_write "$cli_in" "$TEST_TMP/up.bin"
test_wait_for_size "$TEST_TMP/srv1.out" "$UP" 10 || test_fail "the first part never reached the listener"
# The listener's input was a 2 MiB file: long sent by now.
sleep 0.5
test_running "$server" || test_fail "the listener exited at the end of its input"
cli_fifo_write "$cli_in" "$TEST_TMP/up2.bin"
cli_fifo_close "$cli_in"
test_expect_exit "$client" "--send-only client" 0
test_expect_exit "$server" server 0
test_expect_same "$TEST_TMP/upup.bin" "$TEST_TMP/srv1.out" "client -> listener, after the listener's EOF"

# --- 3. --no-shutdown ---------------------------------------------------------
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
