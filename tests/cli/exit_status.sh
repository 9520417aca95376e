#!/usr/bin/env bash
# ncat's exit statuses: 2 only for a usage error; a failure at run time,
# network or not, exits 1 with one `mcat: ...` line:
#  - an address that is not this host's (192.0.2.1, TEST-NET-1) to listen on;
#  - a port another listener holds;
#  - -e with a program that does not exist (the listener exits 1 when its
#    connection cannot be served).
# Usage: exit_status.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"

test_run not_local 1 10 "$MCAT" -l 192.0.2.1 0
test_expect_grep "$TEST_TMP/not_local.log" '^mcat: cannot listen on ' "listening on a foreign address"

cli_listen holder 20 "$MCAT" -l -v 127.0.0.1 0 </dev/null >/dev/null
holder=$CLI_PID
test_run in_use 1 10 "$MCAT" -l 127.0.0.1 "$CLI_PORT"
test_expect_grep "$TEST_TMP/in_use.log" '^mcat: cannot listen on .*in use' "a port in use"
kill -TERM "$(cli_child_pid "$holder")"
test_expect_exit "$holder" "port holder after SIGTERM" 0

cli_listen no_program 20 "$MCAT" -l -v -e /no/such/program 127.0.0.1 0 </dev/null >/dev/null
server=$CLI_PID
cli_spawn 10 "$MCAT" 127.0.0.1 "$CLI_PORT" </dev/null >/dev/null 2>"$TEST_TMP/cli.log"
test_expect_exit "$server" "-e /no/such/program listener" 1
test_expect_grep "$TEST_TMP/no_program.log" '^mcat: cannot start command' "-e of a missing program"
test_wait_pid "$CLI_PID" || true

test_run usage 2 10 "$MCAT" -l --bogus 0
test_expect_grep "$TEST_TMP/usage.log" '^mcat: .*--bogus' "usage error"
test_say PASS
