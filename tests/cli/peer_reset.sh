#!/usr/bin/env bash
# When the peer resets the connection, mcat ends at once with exit 1 and a
# message, even though its own standard input is still open and idle (as nc
# does when the peer goes away). The reset comes from the peer's -q, which
# ends a connection by resetting it; the peer uses --no-shutdown, as its end
# of file would otherwise end the connection in order first (ncat's rules).
#  1. client `--no-shutdown -q 200ms` quits; the server, its input idle, must
#     exit 1;
#  2. server `--no-shutdown -q 200ms` quits; the client, its input idle, must
#     exit 1.
# Usage: peer_reset.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
printf 'one line\n' >"$TEST_TMP/line.txt"

# --- 1. the client resets ----------------------------------------------------
cli_fifo srv_in
cli_listen srv 30 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv_in" >"$TEST_TMP/srv.out"
server=$CLI_PID
cli_spawn 20 "$MCAT" -v --no-shutdown -q 200ms 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/line.txt" >/dev/null 2>"$TEST_TMP/cli.log"
test_expect_exit "$CLI_PID" "client with -q 200ms" 0
test_wait_for_line "$TEST_TMP/srv.log" 'reset' 5 || test_fail "the server was not told of the reset"
test_wait_until 3 test_exited "$server" ||
  test_fail "the server did not exit within 3 s of the peer's reset (its stdin is open and idle)"
test_expect_exit "$server" "server after the peer's reset" 1
test_expect_grep "$TEST_TMP/srv.log" '^mcat: .*reset' "server's message"

# --- 2. the server resets ----------------------------------------------------
cli_fifo cli_in
cli_listen srv2 30 "$MCAT" -l -v --no-shutdown -q 200ms 127.0.0.1 0 <"$TEST_TMP/line.txt" >/dev/null
server=$CLI_PID
cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/cli_in" >"$TEST_TMP/cli2.out" 2>"$TEST_TMP/cli2.log"
client=$CLI_PID
test_expect_exit "$server" "server with -q 200ms" 0
test_wait_for_line "$TEST_TMP/cli2.log" 'reset' 5 || test_fail "the client was not told of the reset"
test_wait_until 3 test_exited "$client" ||
  test_fail "the client did not exit within 3 s of the peer's reset (its stdin is open and idle)"
test_expect_exit "$client" "client after the peer's reset" 1
test_expect_grep "$TEST_TMP/cli2.log" '^mcat: .*reset' "client's message"
test_say PASS
