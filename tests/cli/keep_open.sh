#!/usr/bin/env bash
# `mcat -l -k` goes on accepting: three clients one after the other, then two
# at once. What each sends reaches the listener's stdout whole; the listener
# sends nothing (each client's end of file ends its connection, as in ncat;
# the client gets end of file then and exits 0) and is still running at the
# end.
# Usage: keep_open.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"

cli_listen srv 50 "$MCAT" -l -k -v --stats "$TEST_TMP/srv.json" 127.0.0.1 0 </dev/null >"$TEST_TMP/srv.out"
server=$CLI_PID

# client N: send one distinctive line; expect exit 0 and nothing back.
start_client() {
  printf 'line from client %s %s\n' "$1" "$RANDOM$RANDOM" >"$TEST_TMP/in$1.txt"
  cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/in$1.txt" >"$TEST_TMP/out$1.txt" 2>"$TEST_TMP/cli$1.log"
}
check_client() {
  local n=$1 pid=$2
  test_expect_exit "$pid" "client $n" 0
  [[ ! -s $TEST_TMP/out$n.txt ]] || test_fail "client $n received '$(head -c 200 "$TEST_TMP/out$n.txt")' from a -k listener"
  test_wait_for_line "$TEST_TMP/srv.out" "^$(cat "$TEST_TMP/in$n.txt")\$" 5 ||
    test_fail "client $n: its line is not on the listener's stdout: $(cat "$TEST_TMP/srv.out")"
  test_running "$server" || test_fail "the -k listener exited after client $n"
}

for n in 1 2 3; do
  start_client "$n"
  check_client "$n" "$CLI_PID"
done
test_say "three clients in turn served"

# Two at once: both connected before either sends (their input is a FIFO
# the test holds), then both send and close.
declare -A fifo_fd client_pid
for n in 4 5; do
  printf 'line from client %s %s\n' "$n" "$RANDOM$RANDOM" >"$TEST_TMP/in$n.txt"
  cli_fifo "fifo$n"
  fifo_fd[$n]=$CLI_FIFO_FD
  cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/fifo$n" >"$TEST_TMP/out$n.txt" 2>"$TEST_TMP/cli$n.log"
  client_pid[$n]=$CLI_PID
done
test_wait_for_count "$TEST_TMP/srv.log" 'accepted conn=' 5 5 ||
  test_fail "the listener did not accept two connections at once"
for n in 4 5; do
  test_running "${client_pid[$n]}" || test_fail "client $n exited before it sent anything"
done
test_say "two clients connected at once"
for n in 5 4; do
  cli_fifo_write "${fifo_fd[$n]}" "$TEST_TMP/in$n.txt"
  cli_fifo_close "${fifo_fd[$n]}"
done
check_client 4 "${client_pid[4]}"
check_client 5 "${client_pid[5]}"
test_say "two clients at once served"

# With -c, each connection gets its own child.
cli_listen upper 30 "$MCAT" -l -k -v -c 'tr a-z A-Z' 127.0.0.1 0 </dev/null >/dev/null
for n in 6 7; do
  printf 'client %s says hi\n' "$n" >"$TEST_TMP/in$n.txt"
  cli_spawn 20 "$MCAT" 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/in$n.txt" >"$TEST_TMP/out$n.txt" 2>"$TEST_TMP/cli$n.log"
  test_expect_exit "$CLI_PID" "client $n of -k -c" 0
  [[ $(cat "$TEST_TMP/out$n.txt") == "CLIENT $n SAYS HI" ]] ||
    test_fail "-k -c: client $n got '$(cat "$TEST_TMP/out$n.txt")'"
done
test_say "-k -c: a child per connection"

(( $(test_count_lines "$TEST_TMP/srv.log" 'accepted conn=') == 5 )) ||
  test_fail "expected 5 'accepted conn=' lines: $(grep -c 'accepted conn=' "$TEST_TMP/srv.log" || true)"
(( $(wc -l <"$TEST_TMP/srv.out") == 5 )) || test_fail "expected 5 lines on stdout: $(cat "$TEST_TMP/srv.out")"
# --stats is rewritten after each connection: it counts all five.
if command -v jq >/dev/null 2>&1; then
  test_wait_until 5 jq -e '.connections == 5' "$TEST_TMP/srv.json" >/dev/null 2>&1 ||
    test_fail "the listener's stats do not count 5 connections: $(cat "$TEST_TMP/srv.json" 2>/dev/null)"
fi
test_running "$server" || test_fail "the -k listener is no longer running"
test_say "listener still running"
test_say PASS
