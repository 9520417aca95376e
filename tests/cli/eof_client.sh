#!/usr/bin/env bash
# ncat's connect mode: the client exits when the peer's end of file arrives,
# although its own input (a FIFO the test holds) is still open. The listener
# sends a file and its input ends; the client writes all of it, closes the
# connection and exits 0; the listener sees the client's end of file and
# exits 0 too.
# Usage: eof_client.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum

test_random_file "$TEST_TMP/down.bin" $((2 * 1024 * 1024))
cli_listen srv 20 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out"
server=$CLI_PID
cli_fifo cli_in
cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/cli_in" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$CLI_PID

test_expect_exit "$client" "client (its input still open)" 0
test_expect_exit "$server" listener 0
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "listener -> client"
[[ ! -s $TEST_TMP/srv.out ]] || test_fail "the listener received bytes the client never had"
test_say PASS
