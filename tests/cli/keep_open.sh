#!/usr/bin/env bash
# `mcat -l -k` goes on accepting: three clients one after the other, then two
# at once. What each sends reaches the listener's stdout whole; the listener
# sends nothing (each client gets end of file at once and exits 0) and is
# still running at the end.
# Usage: keep_open.sh MCAT
set -euo pipefail
MCAT=${1:?usage: keep_open.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_exe "$MCAT"

cli_listen srv 50 "$MCAT" -l -k -v --stats "$CLI_TMP/srv.json" 127.0.0.1 0 </dev/null >"$CLI_TMP/srv.out"
server=$CLI_PID

# client N: send one distinctive line; expect exit 0 and nothing back.
start_client() {
  printf 'line from client %s %s\n' "$1" "$RANDOM$RANDOM" >"$CLI_TMP/in$1.txt"
  cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$CLI_TMP/in$1.txt" >"$CLI_TMP/out$1.txt" 2>"$CLI_TMP/cli$1.log"
}
check_client() {
  local n=$1 pid=$2
  cli_expect_exit "$pid" "client $n" 0
  [[ ! -s $CLI_TMP/out$n.txt ]] || cli_fail "client $n received '$(head -c 200 "$CLI_TMP/out$n.txt")' from a -k listener"
  cli_wait_for_line "$CLI_TMP/srv.out" "^$(cat "$CLI_TMP/in$n.txt")\$" 5000 ||
    cli_fail "client $n: its line is not on the listener's stdout: $(cat "$CLI_TMP/srv.out")"
  cli_running "$server" || cli_fail "the -k listener exited after client $n"
}

for n in 1 2 3; do
  start_client "$n"
  check_client "$n" "$CLI_PID"
done
cli_say "three clients in turn served"

# Two at once: both connected before either sends (their input is a FIFO
# the test holds), then both send and close.
declare -A fifo_fd client_pid
for n in 4 5; do
  printf 'line from client %s %s\n' "$n" "$RANDOM$RANDOM" >"$CLI_TMP/in$n.txt"
  cli_fifo "fifo$n"
  fifo_fd[$n]=$CLI_FIFO_FD
  cli_spawn 20 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$CLI_TMP/fifo$n" >"$CLI_TMP/out$n.txt" 2>"$CLI_TMP/cli$n.log"
  client_pid[$n]=$CLI_PID
done
cli_wait_for_count "$CLI_TMP/srv.log" 'accepted conn=' 5 5000 ||
  cli_fail "the listener did not accept two connections at once"
for n in 4 5; do
  cli_running "${client_pid[$n]}" || cli_fail "client $n exited before it sent anything"
done
cli_say "two clients connected at once"
for n in 5 4; do
  cli_fifo_write "${fifo_fd[$n]}" "$CLI_TMP/in$n.txt"
  cli_fifo_close "${fifo_fd[$n]}"
done
check_client 4 "${client_pid[4]}"
check_client 5 "${client_pid[5]}"
cli_say "two clients at once served"

# With -c, each connection gets its own child.
cli_listen upper 30 "$MCAT" -l -k -v -c 'tr a-z A-Z' 127.0.0.1 0 </dev/null >/dev/null
for n in 6 7; do
  printf 'client %s says hi\n' "$n" >"$CLI_TMP/in$n.txt"
  cli_spawn 20 "$MCAT" 127.0.0.1 "$CLI_PORT" <"$CLI_TMP/in$n.txt" >"$CLI_TMP/out$n.txt" 2>"$CLI_TMP/cli$n.log"
  cli_expect_exit "$CLI_PID" "client $n of -k -c" 0
  [[ $(cat "$CLI_TMP/out$n.txt") == "CLIENT $n SAYS HI" ]] ||
    cli_fail "-k -c: client $n got '$(cat "$CLI_TMP/out$n.txt")'"
done
cli_say "-k -c: a child per connection"

(( $(cli_count_lines "$CLI_TMP/srv.log" 'accepted conn=') == 5 )) ||
  cli_fail "expected 5 'accepted conn=' lines: $(grep -c 'accepted conn=' "$CLI_TMP/srv.log" || true)"
(( $(wc -l <"$CLI_TMP/srv.out") == 5 )) || cli_fail "expected 5 lines on stdout: $(cat "$CLI_TMP/srv.out")"
# --stats is rewritten after each connection: it counts all five.
if command -v jq >/dev/null 2>&1; then
  cli_wait_until 5000 jq -e '.connections == 5' "$CLI_TMP/srv.json" >/dev/null 2>&1 ||
    cli_fail "the listener's stats do not count 5 connections: $(cat "$CLI_TMP/srv.json" 2>/dev/null)"
fi
cli_running "$server" || cli_fail "the -k listener is no longer running"
cli_say "listener still running"
cli_say PASS
