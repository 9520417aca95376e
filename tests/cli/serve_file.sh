#!/usr/bin/env bash
# Serving a file to a client whose input is empty, as with ncat: without a
# remedy the client's end of input would reach the listener first and end
# the connection before the file is sent, so
#  1. `mcat -l --send-only <file` with `mcat HOST PORT </dev/null >out`: the
#     listener ignores the client's end of file, exits 0 once the file is
#     sent and the connection closed;
#  2. `mcat -l <file` with `mcat --recv-only HOST PORT </dev/null >out`: the
#     client sends nothing, not even its end of file, and exits 0 at the
#     listener's.
# (man/mcat.1, EXAMPLES.)
# Usage: serve_file.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum

test_random_file "$TEST_TMP/file.bin" $((4 * 1024 * 1024))

# serve N SERVER_OPTION CLIENT_OPTION
serve() {
  local n=$1 server
  cli_listen "srv$n" 20 "$MCAT" -l -v ${2:+"$2"} 127.0.0.1 0 <"$TEST_TMP/file.bin" >"$TEST_TMP/srv$n.out"
  server=$CLI_PID
  cli_spawn 20 "$MCAT" -v ${3:+"$3"} 127.0.0.1 "$CLI_PORT" </dev/null >"$TEST_TMP/cli$n.out" 2>"$TEST_TMP/cli$n.log"
  test_expect_exit "$CLI_PID" "client${3:+ $3}" 0
  test_expect_exit "$server" "listener${2:+ $2}" 0
  test_expect_same "$TEST_TMP/file.bin" "$TEST_TMP/cli$n.out" "file served${2:+ with $2}${3:+ to $3}"
}

serve 1 --send-only ""
serve 2 "" --recv-only
test_say PASS
