#!/usr/bin/env bash
# When the server is gone for good, the client keeps trying (connection
# refused) for its --linger time, then gives up: exit 1 and a message naming
# the linger time, after about that long and not much later.
# Usage: linger.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"

cli_fifo srv_in
cli_listen srv 20 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv_in" >/dev/null
server=$CLI_PID
server_mcat=$(cli_child_pid "$server")
cli_fifo cli_in
cli_spawn 20 "$MCAT" -v --linger 1500ms 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/cli_in" >/dev/null 2>"$TEST_TMP/cli.log"
client=$CLI_PID
test_wait_for_line "$TEST_TMP/cli.log" 'connected to' 5 || test_fail "the client never connected"

kill -KILL "$server_mcat"
start=$(test_elapsed_ms)
test_say "server killed"
test_wait_for_line "$TEST_TMP/cli.log" 'path=0 down' 5 || test_fail "the client did not notice the lost path"
test_expect_exit "$client" "client after its linger time" 1
took=$(( $(test_elapsed_ms) - start ))
test_say "client gave up after ${took} ms (linger 1500 ms)"
(( took >= 1400 && took < 6000 )) || test_fail "gave up after $took ms, expected about 1500"
test_expect_grep "$TEST_TMP/cli.log" '^mcat: no path to the peer within the linger time' "client's message"
test_say PASS
