#!/usr/bin/env bash
# One-way modes, as in ncat:
#  - a --recv-only client sends nothing although its input has data (the
#    server's stdout stays empty) and still receives everything;
#  - a --send-only client writes nothing to its stdout although the server
#    sends, and its own data still arrives whole.
# Usage: send_recv_only.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum

test_random_file "$TEST_TMP/up.bin" $((512 * 1024))
test_random_file "$TEST_TMP/down.bin" $((512 * 1024))

# one_way N MODE [OPTION...]: a server sends down.bin (its stdout in
# srvN.out) to a client with MODE that has up.bin to send (its stdout in
# cliN.out); both must exit 0.
one_way() {
  local n=$1 mode=$2 server
  shift 2
  cli_listen "srv$n" 30 "$MCAT" -l -v 127.0.0.1 0 <"$TEST_TMP/down.bin" >"$TEST_TMP/srv$n.out"
  server=$CLI_PID
  cli_spawn 30 "$MCAT" -v "$mode" "$@" 127.0.0.1 "$CLI_PORT" \
    <"$TEST_TMP/up.bin" >"$TEST_TMP/cli$n.out" 2>"$TEST_TMP/cli$n.log"
  test_expect_exit "$CLI_PID" "$mode client" 0
  test_expect_exit "$server" "server of the $mode client" 0
}

# --- --recv-only ----------------------------------------------------------------
one_way 1 --recv-only --stats "$TEST_TMP/recv.json"
[[ ! -s $TEST_TMP/srv1.out ]] ||
  test_fail "--recv-only: the server received $(test_file_size "$TEST_TMP/srv1.out") bytes, expected none"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli1.out" "--recv-only: server -> client"
if command -v jq >/dev/null 2>&1; then
  jq -e '.bytes_sent == 0' "$TEST_TMP/recv.json" >/dev/null ||
    test_fail "--recv-only: stats say bytes were sent: $(cat "$TEST_TMP/recv.json")"
fi
test_say "--recv-only: nothing sent"

# --- --send-only ----------------------------------------------------------------
one_way 2 --send-only
[[ ! -s $TEST_TMP/cli2.out ]] ||
  test_fail "--send-only: the client wrote $(test_file_size "$TEST_TMP/cli2.out") bytes to stdout, expected none"
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv2.out" "--send-only: client -> server"
test_say "--send-only: nothing written"

# --- both at once cannot work -------------------------------------------------
status=0
timeout 10 "$MCAT" --send-only --recv-only 127.0.0.1 9 </dev/null >/dev/null 2>"$TEST_TMP/both.log" || status=$?
((status == 2)) || test_fail "--send-only --recv-only: exit $status, expected 2"
test_expect_grep "$TEST_TMP/both.log" 'send-only.*recv-only' "--send-only --recv-only message"
test_say PASS
