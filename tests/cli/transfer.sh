#!/usr/bin/env bash
# 8 MiB each way at once over loopback: both streams arrive byte for byte,
# both ends exit 0 once the client's input ends (after both streams have
# arrived: with ncat's rules the listener ends the connection at the
# client's end of file, so the test holds both inputs open until then), and each end's --stats JSON is well formed with byte
# counts equal to what it sent and received (the two directions differ in
# size, so swapped counters show).
# Usage: transfer.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands jq sha256sum

DOWN=$((8 * 1024 * 1024))        # server -> client
UP=$((8 * 1024 * 1024 + 4321))   # client -> server
test_random_file "$TEST_TMP/down.bin" "$DOWN"
test_random_file "$TEST_TMP/up.bin" "$UP"

cli_fifo srv_in; srv_in=$CLI_FIFO_FD
cli_fifo cli_in; cli_in=$CLI_FIFO_FD
cli_listen srv 40 "$MCAT" -l -v --stats "$TEST_TMP/srv.json" 127.0.0.1 0 \
  <"$TEST_TMP/srv_in" >"$TEST_TMP/srv.out"
server=$CLI_PID
cli_spawn 40 "$MCAT" -v --stats "$TEST_TMP/cli.json" 127.0.0.1 "$CLI_PORT" \
  <"$TEST_TMP/cli_in" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$CLI_PID
cli_fifo_write "$srv_in" "$TEST_TMP/down.bin" &
writer=$!
cli_fifo_write "$cli_in" "$TEST_TMP/up.bin"
wait "$writer" || test_fail "cannot write down.bin into the listener's FIFO"
test_wait_for_size "$TEST_TMP/srv.out" "$UP" 20 || test_fail "the listener received $(test_file_size "$TEST_TMP/srv.out") of $UP bytes"
test_wait_for_size "$TEST_TMP/cli.out" "$DOWN" 20 || test_fail "the client received $(test_file_size "$TEST_TMP/cli.out") of $DOWN bytes"
cli_fifo_close "$cli_in"

test_expect_exit "$client" client 0
test_expect_exit "$server" server 0
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> server"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "server -> client"

# The -v lines scripts grep for.
test_expect_grep "$TEST_TMP/cli.log" "connected to 127\.0\.0\.1:$CLI_PORT from 127\.0\.0\.1:[0-9]+ conn=[0-9a-f]+" "client -v"
test_expect_grep "$TEST_TMP/srv.log" "accepted conn=[0-9a-f]+ from 127\.0\.0\.1:[0-9]+" "server -v"

# stats FILE SENT RECEIVED
check_stats() {
  local file=$1 sent=$2 received=$3
  [[ -s $file ]] || test_fail "no stats file ${file##*/}"
  jq -e . "$file" >/dev/null 2>&1 || test_fail "${file##*/} is not JSON: $(head -c 300 "$file")"
  jq -e --argjson s "$sent" --argjson r "$received" '
      (.bytes_sent == $s) and (.bytes_received == $r) and
      (.connections == 1) and (.flowpaths_opened | type == "number" and . >= 1) and
      (.migrations | type == "array" and length == 0)' "$file" >/dev/null ||
    test_fail "${file##*/}: expected bytes_sent=$sent bytes_received=$received connections=1," \
      "flowpaths_opened>=1, no migrations; got $(cat "$file")"
  test_say "${file##*/}: $(cat "$file")"
}
check_stats "$TEST_TMP/cli.json" "$UP" "$DOWN"
check_stats "$TEST_TMP/srv.json" "$DOWN" "$UP"
test_say PASS
