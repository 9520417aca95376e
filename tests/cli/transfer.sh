#!/usr/bin/env bash
# 8 MiB each way at once over loopback: both streams arrive byte for byte,
# both ends exit 0, and each end's --stats JSON is well formed with byte
# counts equal to what it sent and received (the two directions differ in
# size, so swapped counters show).
# Usage: transfer.sh MCAT
set -euo pipefail
MCAT=${1:?usage: transfer.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands jq sha256sum
cli_require_exe "$MCAT"

DOWN=$((8 * 1024 * 1024))        # server -> client
UP=$((8 * 1024 * 1024 + 4321))   # client -> server
cli_random_file "$CLI_TMP/down.bin" "$DOWN"
cli_random_file "$CLI_TMP/up.bin" "$UP"

cli_listen srv 40 "$MCAT" -l -v --stats "$CLI_TMP/srv.json" 127.0.0.1 0 \
  <"$CLI_TMP/down.bin" >"$CLI_TMP/srv.out"
server=$CLI_PID
cli_spawn 40 "$MCAT" -v --stats "$CLI_TMP/cli.json" 127.0.0.1 "$CLI_PORT" \
  <"$CLI_TMP/up.bin" >"$CLI_TMP/cli.out" 2>"$CLI_TMP/cli.log"
client=$CLI_PID

cli_expect_exit "$client" client 0
cli_expect_exit "$server" server 0
cli_expect_same "$CLI_TMP/up.bin" "$CLI_TMP/srv.out" "client -> server"
cli_expect_same "$CLI_TMP/down.bin" "$CLI_TMP/cli.out" "server -> client"

# The -v lines scripts grep for.
cli_expect_grep "$CLI_TMP/cli.log" "connected to 127\.0\.0\.1:$CLI_PORT from 127\.0\.0\.1:[0-9]+ conn=[0-9a-f]+" "client -v"
cli_expect_grep "$CLI_TMP/srv.log" "accepted conn=[0-9a-f]+ from 127\.0\.0\.1:[0-9]+" "server -v"

# stats FILE SENT RECEIVED
check_stats() {
  local file=$1 sent=$2 received=$3
  [[ -s $file ]] || cli_fail "no stats file ${file##*/}"
  jq -e . "$file" >/dev/null 2>&1 || cli_fail "${file##*/} is not JSON: $(head -c 300 "$file")"
  jq -e --argjson s "$sent" --argjson r "$received" '
      (.bytes_sent == $s) and (.bytes_received == $r) and
      (.connections == 1) and (.flowpaths_opened | type == "number" and . >= 1) and
      (.migrations | type == "array" and length == 0)' "$file" >/dev/null ||
    cli_fail "${file##*/}: expected bytes_sent=$sent bytes_received=$received connections=1," \
      "flowpaths_opened>=1, no migrations; got $(cat "$file")"
  cli_say "${file##*/}: $(cat "$file")"
}
check_stats "$CLI_TMP/cli.json" "$UP" "$DOWN"
check_stats "$CLI_TMP/srv.json" "$DOWN" "$UP"
cli_say PASS
