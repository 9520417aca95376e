#!/usr/bin/env bash
# ncat's -k in connect mode: the client keeps running after the peer's end
# of file. The listener sends a file and its input ends; the -k client
# writes it all and closes its standard output, but goes on running and
# sending what its input (a FIFO the test holds) brings; when that input
# ends, the listener sees end of file and ends the connection, and both
# exit 0.
# Usage: keep_open_connect.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum pgrep

test_random_file "$TEST_TMP/down.bin" $((1024 * 1024))
test_random_file "$TEST_TMP/up1.bin" $((256 * 1024))
test_random_file "$TEST_TMP/up2.bin" $((256 * 1024))
cat "$TEST_TMP/up1.bin" "$TEST_TMP/up2.bin" >"$TEST_TMP/up.bin"
stdout_closed() { ! cli_fd_open "$1" 1; }

cli_listen srv 30 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out"
server=$CLI_PID
cli_fifo cli_in
cli_in=$CLI_FIFO_FD
cli_spawn 30 "$MCAT" -v -k 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/cli_in" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$CLI_PID
client_mcat=$(cli_child_pid "$client")

cli_fifo_write "$cli_in" "$TEST_TMP/up1.bin"
test_wait_until 10 stdout_closed "$client_mcat" ||
  test_fail "the -k client never saw the listener's end of file (its stdout still open)"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "listener -> client"
sleep 0.5
test_running "$client" || test_fail "the -k client exited at the peer's end of file"
test_say "-k client still running after the peer's end of file"

cli_fifo_write "$cli_in" "$TEST_TMP/up2.bin"
cli_fifo_close "$cli_in"
test_expect_exit "$client" "-k client" 0
test_expect_exit "$server" listener 0
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> listener, after the listener's end of file"
test_say PASS
