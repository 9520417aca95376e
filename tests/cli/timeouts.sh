#!/usr/bin/env bash
# Timers that end a connection:
#  - `-i 500ms` on a connection where nothing moves: the client exits 1 with
#    a message about the timeout, after about half a second;
#  - `--no-shutdown -q 1` (nc's -q without -N): the client quits about 1 s
#    after the end of its input although the server keeps the connection
#    open (its input never ends, and the client's end of file is not passed
#    on, which would end the connection at once), exit 0.
# Usage: timeouts.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"

# --- -i: idle timeout ---------------------------------------------------------
cli_fifo srv_in
cli_fifo cli_in
cli_in=$CLI_FIFO_FD
cli_listen srv 30 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv_in" >"$TEST_TMP/srv.out"
start=$(test_now_us)
cli_spawn 20 "$MCAT" -v -i 500ms 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/cli_in" >/dev/null 2>"$TEST_TMP/idle.log"
client=$CLI_PID
test_wait_for_line "$TEST_TMP/idle.log" 'connected to' 5 || test_fail "-i: the client never connected"
test_expect_exit "$client" "idle client (-i 500ms)" 1
elapsed_ms=$(( ($(test_now_us) - start) / 1000 ))
((elapsed_ms >= 450)) || test_fail "-i 500ms: the client quit after only ${elapsed_ms} ms"
((elapsed_ms <= 3000)) || test_fail "-i 500ms: the client took ${elapsed_ms} ms to quit"
test_expect_grep "$TEST_TMP/idle.log" '^mcat: .*(idle|timed out)' "-i message"
test_say "-i 500ms: quit after ${elapsed_ms} ms: $(grep '^mcat: ' "$TEST_TMP/idle.log" | head -n 1)"
cli_fifo_close "$cli_in"

# --- -q: quit after end of input ----------------------------------------------
# The server's input is a FIFO the test never closes, and --no-shutdown keeps
# the client's end of file from it: without -q the client would wait forever.
printf 'before the quit\n' >"$TEST_TMP/line.in"
cli_fifo srv2_in
cli_listen srv2 30 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv2_in" >"$TEST_TMP/srv2.out"
start=$(test_now_us)
cli_spawn 20 "$MCAT" -v --no-shutdown -q 1 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/line.in" >/dev/null 2>"$TEST_TMP/quit.log"
test_expect_exit "$CLI_PID" "client with -q 1" 0
elapsed_ms=$(( ($(test_now_us) - start) / 1000 ))
((elapsed_ms >= 900)) || test_fail "-q 1: the client quit after only ${elapsed_ms} ms"
((elapsed_ms <= 4000)) || test_fail "-q 1: the client took ${elapsed_ms} ms to quit"
test_wait_for_size "$TEST_TMP/srv2.out" "$(test_file_size "$TEST_TMP/line.in")" 5 ||
  test_fail "-q: the client's data did not reach the server"
cmp -s "$TEST_TMP/line.in" "$TEST_TMP/srv2.out" || test_fail "-q: the server got '$(cat "$TEST_TMP/srv2.out")'"
test_say "-q 1: quit ${elapsed_ms} ms after start, data delivered"
test_say PASS
