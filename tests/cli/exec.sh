#!/usr/bin/env bash
# A listener hands each connection to a program, as ncat's -e and -c:
#  - `-e /bin/cat` (no shell) echoes 1 MiB back byte for byte;
#  - `-c 'tr a-z A-Z'` (through /bin/sh) transforms what it gets;
#  - the program's environment names the peer and the protocol
#    (MCAT_REMOTE_ADDR, MCAT_REMOTE_PORT, MCAT_LOCAL_ADDR, MCAT_LOCAL_PORT,
#    MCAT_PROTO=msocket).
# Usage: exec.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands sha256sum tr

# --- -e: no shell ---------------------------------------------------------------
test_random_file "$TEST_TMP/in.bin" $((1024 * 1024))
cli_listen echo 30 "$MCAT" -l -v -e /bin/cat 127.0.0.1 0 </dev/null >"$TEST_TMP/echo.out"
server=$CLI_PID
cli_spawn 30 "$MCAT" 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/in.bin" >"$TEST_TMP/echoed.bin" 2>"$TEST_TMP/cli-e.log"
test_expect_exit "$CLI_PID" "client of -e /bin/cat" 0
test_expect_exit "$server" "-e /bin/cat listener" 0
test_expect_same "$TEST_TMP/in.bin" "$TEST_TMP/echoed.bin" "-e /bin/cat echo"
[[ ! -s $TEST_TMP/echo.out ]] || test_fail "-e: the listener wrote the connection's data to its own stdout"

# --- -c: through /bin/sh ------------------------------------------------------
printf 'hello, mobile world\nsecond line 42\n' >"$TEST_TMP/text.in"
printf 'HELLO, MOBILE WORLD\nSECOND LINE 42\n' >"$TEST_TMP/text.want"
cli_listen upper 30 "$MCAT" -l -v -c 'tr a-z A-Z' 127.0.0.1 0 </dev/null >/dev/null
server=$CLI_PID
cli_spawn 30 "$MCAT" 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/text.in" >"$TEST_TMP/text.out" 2>"$TEST_TMP/cli-c.log"
test_expect_exit "$CLI_PID" "client of -c 'tr a-z A-Z'" 0
test_expect_exit "$server" "-c 'tr a-z A-Z' listener" 0
cmp -s "$TEST_TMP/text.want" "$TEST_TMP/text.out" ||
  test_fail "-c 'tr a-z A-Z': got '$(cat "$TEST_TMP/text.out")'"
test_say "-c 'tr a-z A-Z' transformed the text"

# --- the child's environment --------------------------------------------------
# shellcheck disable=SC2016  # expanded by the child's shell, not here
cli_listen env 30 "$MCAT" -l -v \
  -c 'echo "$MCAT_REMOTE_ADDR $MCAT_PROTO"; echo "remote_port=$MCAT_REMOTE_PORT local=$MCAT_LOCAL_ADDR:$MCAT_LOCAL_PORT"' \
  127.0.0.1 0 </dev/null >/dev/null
server=$CLI_PID
cli_spawn 30 "$MCAT" -v 127.0.0.1 "$CLI_PORT" </dev/null >"$TEST_TMP/env.out" 2>"$TEST_TMP/cli-env.log"
test_expect_exit "$CLI_PID" "client of the environment printer" 0
test_expect_exit "$server" "environment printer listener" 0
first=$(head -n 1 "$TEST_TMP/env.out")
[[ $first == "127.0.0.1 msocket" ]] ||
  test_fail "child environment: expected '127.0.0.1 msocket', got '$first'"
# The ports are the flowpath's: the client's own port, and the listening port.
client_port=$(grep -oE 'connected to .* from 127\.0\.0\.1:[0-9]+' "$TEST_TMP/cli-env.log" | sed -E 's/.*:([0-9]+)$/\1/')
second=$(sed -n 2p "$TEST_TMP/env.out")
[[ $second == "remote_port=$client_port local=127.0.0.1:$CLI_PORT" ]] ||
  test_fail "child environment: expected 'remote_port=$client_port local=127.0.0.1:$CLI_PORT', got '$second'"
test_say "child environment: $first; $second"
test_say PASS
