#!/usr/bin/env bash
# Port forwarding for unmodified TCP programs, on loopback:
#   plain client -> mcat --local -> msocket -> mcat -l --forward -> echo service
# Four plain TCP connections, two one after the other and then two started
# together, are each carried over their own msocket connection and echoed
# back byte for byte; both mcat processes keep accepting (as -k does) and
# are still running at the end.
# Usage: forward.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands socat sha256sum

cli_listen echo 50 socat -d -d TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork EXEC:cat </dev/null >/dev/null
echo_port=$CLI_PORT
cli_listen fwd 50 "$MCAT" -l -v --forward "127.0.0.1:$echo_port" 127.0.0.1 0 </dev/null >/dev/null
forward=$CLI_PID
cli_listen local 50 "$MCAT" -v --local 127.0.0.1:0 127.0.0.1 "$CLI_PORT" </dev/null >/dev/null
local_end=$CLI_PID
local_port=$CLI_PORT

# plain N: a plain TCP client (socat) sends 256 KiB and reads the echo.
plain() {
  test_random_file "$TEST_TMP/in$1.bin" $((256 * 1024))
  cli_spawn 20 socat -t 10 - "TCP:127.0.0.1:$local_port" <"$TEST_TMP/in$1.bin" >"$TEST_TMP/out$1.bin" 2>"$TEST_TMP/plain$1.log"
}
check() {
  test_expect_exit "$2" "plain client $1" 0
  test_expect_same "$TEST_TMP/in$1.bin" "$TEST_TMP/out$1.bin" "plain client $1 echoed"
  test_running "$forward" || test_fail "mcat -l --forward exited after plain client $1"
  test_running "$local_end" || test_fail "mcat --local exited after plain client $1"
}

plain 1; check 1 "$CLI_PID"
plain 2; check 2 "$CLI_PID"
plain 3; pid3=$CLI_PID
plain 4; pid4=$CLI_PID
check 3 "$pid3"
check 4 "$pid4"

(( $(test_count_lines "$TEST_TMP/fwd.log" 'accepted conn=') == 4 )) ||
  test_fail "expected 4 msocket connections at the forwarder: $(grep -c 'accepted conn=' "$TEST_TMP/fwd.log" || true)"
(( $(test_count_lines "$TEST_TMP/local.log" 'connected to ') == 4 )) ||
  test_fail "expected 4 msocket connections from --local"
test_say "4 plain connections, 4 msocket connections, both ends still accepting"
test_say PASS
