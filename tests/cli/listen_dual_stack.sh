#!/usr/bin/env bash
# ncat listens on both IPv4 and IPv6 when no address is given, and -4 / -6
# restrict it to one family:
#  1. `mcat -l -k PORT` takes a client of 127.0.0.1 and one of ::1;
#  2. `mcat -l -4 PORT` takes 127.0.0.1 and not ::1 (refused: exit 1);
#  3. `mcat -l -6 PORT` takes ::1 and not 127.0.0.1 (refused: exit 1).
# Needs ::1 on the loopback interface (skipped otherwise).
# Usage: listen_dual_stack.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands ip
ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/' || { test_say "SKIP: no ::1 on lo"; exit 77; }

# client NAME ADDRESS STATUS: send a line to ADDRESS; expect STATUS.
client() {
  printf 'hello from %s\n' "$1" >"$TEST_TMP/$1.in"
  cli_spawn 10 "$MCAT" -v -w 2s "$2" "$CLI_PORT" <"$TEST_TMP/$1.in" >/dev/null 2>"$TEST_TMP/$1.log"
  test_expect_exit "$CLI_PID" "$1 client to $2" "$3"
}

# --- 1. no address: both families ---------------------------------------------
cli_listen both 30 "$MCAT" -l -k -v 0 </dev/null >"$TEST_TMP/both.out"
both=$CLI_PID
test_expect_grep "$TEST_TMP/both.log" 'listening on \[::\]:' "a listener with no address binds ::"
client v4 127.0.0.1 0
client v6 ::1 0
test_wait_for_count "$TEST_TMP/both.out" '^hello from v[46]$' 2 5 ||
  test_fail "the default listener did not get both lines: $(cat "$TEST_TMP/both.out")"
test_say "a listener with no address took 127.0.0.1 and ::1"
kill -TERM "$(cli_child_pid "$both")"
test_expect_exit "$both" "default listener after SIGTERM" 0

# --- 2. -4 --------------------------------------------------------------------
cli_listen only4 30 "$MCAT" -l -4 -k -v 0 </dev/null >"$TEST_TMP/only4.out"
only4=$CLI_PID
client v4_to_4 127.0.0.1 0
client v6_to_4 ::1 1
test_expect_grep "$TEST_TMP/only4.out" '^hello from v4_to_4$' "-4 listener got the IPv4 client"
kill -TERM "$(cli_child_pid "$only4")"
test_expect_exit "$only4" "-4 listener after SIGTERM" 0

# --- 3. -6 --------------------------------------------------------------------
cli_listen only6 30 "$MCAT" -l -6 -k -v 0 </dev/null >"$TEST_TMP/only6.out"
only6=$CLI_PID
client v6_to_6 ::1 0
client v4_to_6 127.0.0.1 1
test_expect_grep "$TEST_TMP/only6.out" '^hello from v6_to_6$' "-6 listener got the IPv6 client"
[[ $(grep -c . "$TEST_TMP/only6.out") == 1 ]] || test_fail "-6 listener took the IPv4 client: $(cat "$TEST_TMP/only6.out")"
kill -TERM "$(cli_child_pid "$only6")"
test_expect_exit "$only6" "-6 listener after SIGTERM" 0
test_say PASS
