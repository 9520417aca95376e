#!/usr/bin/env bash
# ncat's listen mode (no -k): the peer's end of file ends the connection at
# once. The client sends a file and its input ends; the listener, whose own
# input (a FIFO the test holds) never ends, closes its standard output,
# closes the connection and exits 0 without waiting for its input; the
# client then sees the listener's end of file and exits 0 too. This is
# `mcat -l 7000 >out` with `mcat 127.0.0.1 7000 <file`.
# Usage: eof_listener.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum

test_random_file "$TEST_TMP/up.bin" $((2 * 1024 * 1024))
cli_fifo srv_in
cli_listen srv 20 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv_in" >"$TEST_TMP/srv.out"
server=$CLI_PID
cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/up.bin" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$CLI_PID

test_expect_exit "$server" "listener (its input still open)" 0
test_expect_exit "$client" client 0
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> listener"
[[ ! -s $TEST_TMP/cli.out ]] || test_fail "the client received bytes the listener never had"
test_say PASS
