#!/usr/bin/env bash
# SIGINT and SIGTERM close the connection in order, as ncat's exit closes
# its TCP socket (the peer reads end of file, not a reset): the peer sees an
# orderly end within a second or two and exits 0, and what was sent before
# the signal arrived whole. (Only a peer that vanishes without a word, as
# with SIGKILL, is waited for, up to --linger: linger.sh.)
#  1. SIGTERM to a client whose input is still open: the listener exits 0.
#  2. SIGINT to a listener whose input is still open: the client exits 0.
#  3. SIGTERM to a -k listener with two clients: both clients exit 0, and so
#     does the listener.
#  4. SIGTERM to a listener with no connection: it exits 0 at once.
# Every input is a FIFO the test holds, so nothing else ends.
# Usage: signal_close.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum pgrep

test_random_file "$TEST_TMP/up.bin" $((512 * 1024))
test_random_file "$TEST_TMP/down.bin" $((512 * 1024))
UP=$(test_file_size "$TEST_TMP/up.bin")
DOWN=$(test_file_size "$TEST_TMP/down.bin")

# pair N: a listener and a client, each sending its file through a held
# FIFO; waits until both files have arrived. Sets SERVER, CLIENT and their
# mcat pids SERVER_MCAT, CLIENT_MCAT.
pair() {
  local n=$1
  cli_fifo "srv$n.in"; local srv_in=$CLI_FIFO_FD
  cli_fifo "cli$n.in"; local cli_in=$CLI_FIFO_FD
  cli_listen "srv$n" 30 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/srv$n.in" >"$TEST_TMP/srv$n.out"
  SERVER=$CLI_PID
  SERVER_MCAT=$(cli_child_pid "$SERVER")
  cli_spawn 30 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/cli$n.in" >"$TEST_TMP/cli$n.out" 2>"$TEST_TMP/cli$n.log"
  CLIENT=$CLI_PID
  CLIENT_MCAT=$(cli_child_pid "$CLIENT")
  cli_fifo_write "$cli_in" "$TEST_TMP/up.bin"
  cli_fifo_write "$srv_in" "$TEST_TMP/down.bin"
  test_wait_for_size "$TEST_TMP/srv$n.out" "$UP" 10 || test_fail "pair $n: the client's data never arrived"
  test_wait_for_size "$TEST_TMP/cli$n.out" "$DOWN" 10 || test_fail "pair $n: the listener's data never arrived"
}

# ends_within MS PID NAME: PID exits 0 within MS milliseconds from now.
ends_within() {
  local start
  start=$(test_now_us)
  test_expect_exit "$2" "$3" 0
  local elapsed=$((($(test_now_us) - start) / 1000))
  ((elapsed <= $1)) || test_fail "$3 took ${elapsed} ms to end, expected at most $1"
}

# --- 1. SIGTERM to the client -------------------------------------------------
pair 1
kill -TERM "$CLIENT_MCAT"
ends_within 3000 "$SERVER" "listener after the client's SIGTERM"
ends_within 3000 "$CLIENT" "client after its SIGTERM"
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv1.out" "client -> listener before SIGTERM"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli1.out" "listener -> client before SIGTERM"

# --- 2. SIGINT to the listener ------------------------------------------------
pair 2
kill -INT "$SERVER_MCAT"
ends_within 3000 "$CLIENT" "client after the listener's SIGINT"
ends_within 3000 "$SERVER" "listener after its SIGINT"
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv2.out" "client -> listener before SIGINT"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli2.out" "listener -> client before SIGINT"

# --- 3. SIGTERM to a -k listener with two clients -------------------------------
cli_listen srv3 30 "$MCAT" -l -k -v 127.0.0.1 0 </dev/null >"$TEST_TMP/srv3.out"
server=$CLI_PID
server_mcat=$(cli_child_pid "$server")
declare -a clients
for n in 1 2; do
  cli_fifo "k$n.in"
  cli_spawn 30 "$MCAT" -v 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/k$n.in" >/dev/null 2>"$TEST_TMP/k$n.log"
  clients+=("$CLI_PID")
done
test_wait_for_count "$TEST_TMP/srv3.log" 'accepted conn=' 2 5 || test_fail "-k: two clients not accepted"
kill -TERM "$server_mcat"
ends_within 3000 "${clients[0]}" "first client of the -k listener after its SIGTERM"
ends_within 3000 "${clients[1]}" "second client of the -k listener after its SIGTERM"
ends_within 3000 "$server" "-k listener after its SIGTERM"

# --- 4. SIGTERM to an idle listener -------------------------------------------
cli_listen srv4 30 "$MCAT" -l -v 127.0.0.1 0 </dev/null >/dev/null
server=$CLI_PID
kill -TERM "$(cli_child_pid "$server")"
ends_within 2000 "$server" "idle listener after its SIGTERM"
test_say PASS
