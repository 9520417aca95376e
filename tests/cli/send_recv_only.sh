#!/usr/bin/env bash
# One-way modes, as in ncat:
#  - a --recv-only client sends nothing although its input has data (the
#    server's stdout stays empty) and still receives everything;
#  - a --send-only client writes nothing to its stdout although the server
#    sends, and its own data still arrives whole.
# Usage: send_recv_only.sh MCAT
set -euo pipefail
MCAT=${1:?usage: send_recv_only.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands sha256sum
cli_require_exe "$MCAT"

cli_random_file "$CLI_TMP/up.bin" $((512 * 1024))
cli_random_file "$CLI_TMP/down.bin" $((512 * 1024))

# --- --recv-only ----------------------------------------------------------------
cli_listen srv1 30 "$MCAT" -l -v 127.0.0.1 0 <"$CLI_TMP/down.bin" >"$CLI_TMP/srv1.out"
server=$CLI_PID
cli_spawn 30 "$MCAT" -v --recv-only --stats "$CLI_TMP/recv.json" 127.0.0.1 "$CLI_PORT" \
  <"$CLI_TMP/up.bin" >"$CLI_TMP/cli1.out" 2>"$CLI_TMP/cli1.log"
cli_expect_exit "$CLI_PID" "--recv-only client" 0
cli_expect_exit "$server" "server of the --recv-only client" 0
[[ ! -s $CLI_TMP/srv1.out ]] ||
  cli_fail "--recv-only: the server received $(cli_file_size "$CLI_TMP/srv1.out") bytes, expected none"
cli_expect_same "$CLI_TMP/down.bin" "$CLI_TMP/cli1.out" "--recv-only: server -> client"
if command -v jq >/dev/null 2>&1; then
  jq -e '.bytes_sent == 0' "$CLI_TMP/recv.json" >/dev/null ||
    cli_fail "--recv-only: stats say bytes were sent: $(cat "$CLI_TMP/recv.json")"
fi
cli_say "--recv-only: nothing sent"

# --- --send-only ----------------------------------------------------------------
cli_listen srv2 30 "$MCAT" -l -v 127.0.0.1 0 <"$CLI_TMP/down.bin" >"$CLI_TMP/srv2.out"
server=$CLI_PID
cli_spawn 30 "$MCAT" -v --send-only 127.0.0.1 "$CLI_PORT" \
  <"$CLI_TMP/up.bin" >"$CLI_TMP/cli2.out" 2>"$CLI_TMP/cli2.log"
cli_expect_exit "$CLI_PID" "--send-only client" 0
cli_expect_exit "$server" "server of the --send-only client" 0
[[ ! -s $CLI_TMP/cli2.out ]] ||
  cli_fail "--send-only: the client wrote $(cli_file_size "$CLI_TMP/cli2.out") bytes to stdout, expected none"
cli_expect_same "$CLI_TMP/up.bin" "$CLI_TMP/srv2.out" "--send-only: client -> server"
cli_say "--send-only: nothing written"

# --- both at once cannot work -------------------------------------------------
status=0
timeout 10 "$MCAT" --send-only --recv-only 127.0.0.1 9 </dev/null >/dev/null 2>"$CLI_TMP/both.log" || status=$?
((status == 2)) || cli_fail "--send-only --recv-only: exit $status, expected 2"
cli_expect_grep "$CLI_TMP/both.log" 'send-only.*recv-only' "--send-only --recv-only message"
cli_say PASS
