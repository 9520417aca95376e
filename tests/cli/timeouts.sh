#!/usr/bin/env bash
# Timers that end a connection:
#  - `-i 500ms` on a connection where nothing moves: the client exits 1 with
#    a message about the timeout, after about half a second;
#  - `-q 1`: the client quits about 1 s after the end of its input although
#    the server keeps the connection open (its input never ends), exit 0.
# Usage: timeouts.sh MCAT
set -euo pipefail
MCAT=${1:?usage: timeouts.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_exe "$MCAT"

# --- -i: idle timeout ---------------------------------------------------------
cli_fifo srv_in
cli_fifo cli_in
cli_in=$CLI_FIFO_FD
cli_listen srv 30 "$MCAT" -l -v 127.0.0.1 0 <"$CLI_TMP/srv_in" >"$CLI_TMP/srv.out"
start=$(cli_now_us)
cli_spawn 20 "$MCAT" -v -i 500ms 127.0.0.1 "$CLI_PORT" <"$CLI_TMP/cli_in" >/dev/null 2>"$CLI_TMP/idle.log"
client=$CLI_PID
cli_wait_for_line "$CLI_TMP/idle.log" 'connected to' 5000 || cli_fail "-i: the client never connected"
cli_expect_exit "$client" "idle client (-i 500ms)" 1
elapsed_ms=$(( ($(cli_now_us) - start) / 1000 ))
((elapsed_ms >= 450)) || cli_fail "-i 500ms: the client quit after only ${elapsed_ms} ms"
((elapsed_ms <= 3000)) || cli_fail "-i 500ms: the client took ${elapsed_ms} ms to quit"
cli_expect_grep "$CLI_TMP/idle.log" '^mcat: .*(idle|timed out)' "-i message"
cli_say "-i 500ms: quit after ${elapsed_ms} ms: $(grep '^mcat: ' "$CLI_TMP/idle.log" | head -n 1)"
cli_fifo_close "$cli_in"

# --- -q: quit after end of input ----------------------------------------------
# The server's input is a FIFO the test never closes: without -q the client
# would wait for the server forever.
printf 'before the quit\n' >"$CLI_TMP/line.in"
cli_fifo srv2_in
cli_listen srv2 30 "$MCAT" -l -v 127.0.0.1 0 <"$CLI_TMP/srv2_in" >"$CLI_TMP/srv2.out"
start=$(cli_now_us)
cli_spawn 20 "$MCAT" -v -q 1 127.0.0.1 "$CLI_PORT" <"$CLI_TMP/line.in" >/dev/null 2>"$CLI_TMP/quit.log"
cli_expect_exit "$CLI_PID" "client with -q 1" 0
elapsed_ms=$(( ($(cli_now_us) - start) / 1000 ))
((elapsed_ms >= 900)) || cli_fail "-q 1: the client quit after only ${elapsed_ms} ms"
((elapsed_ms <= 4000)) || cli_fail "-q 1: the client took ${elapsed_ms} ms to quit"
cli_wait_for_size "$CLI_TMP/srv2.out" "$(cli_file_size "$CLI_TMP/line.in")" 5000 ||
  cli_fail "-q: the client's data did not reach the server"
cmp -s "$CLI_TMP/line.in" "$CLI_TMP/srv2.out" || cli_fail "-q: the server got '$(cat "$CLI_TMP/srv2.out")'"
cli_say "-q 1: quit ${elapsed_ms} ms after start, data delivered"
cli_say PASS
