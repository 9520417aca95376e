#!/usr/bin/env bash
# `mnamed watch` prints one JSON line per change as it is written: a new
# version registered by another process, a deletion, a registration after
# it. Without --after it starts from the version stored now.
# Usage: mnamed_watch.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq
KEY=$TEST_TMP/owner.key
timeout 10 "$MNAMED" keygen --out "$KEY" >/dev/null || test_fail "keygen failed"
cli_listen srv 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$TEST_TMP/data" </dev/null
export MNAMED_SERVER=http://127.0.0.1:$CLI_PORT

register() {
  timeout 10 "$MNAMED" register --key "$KEY" phone.example "$1" >"$TEST_TMP/register.out" 2>"$TEST_TMP/register.log" ||
    test_fail "register $1 failed: $(cat "$TEST_TMP/register.log")"
}
register 10.0.0.1:7000
V1=$(jq .version "$TEST_TMP/register.out")

# From V1 on: nothing to print until the next version.
cli_spawn 40 "$MNAMED" watch --after "$V1" phone.example </dev/null >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.log"
WATCH=$CLI_PID
start=$(test_now_us)
register 10.0.0.2:7000
test_wait_for_line "$TEST_TMP/watch.out" '10\.0\.0\.2:7000' 5 || test_fail "watch did not print the new version"
test_say "watch printed the new version $(( ($(test_now_us) - start) / 1000 )) ms after register started"
jq -e --argjson v1 "$V1" 'select(.version > $v1 and .addresses == ["10.0.0.2:7000"])' \
  <(head -n 1 "$TEST_TMP/watch.out") >/dev/null || test_fail "not the new record: $(head -n 1 "$TEST_TMP/watch.out")"
cmp -s "$TEST_TMP/register.out" <(head -n 1 "$TEST_TMP/watch.out") || test_fail "watch printed another record than register"

timeout 10 "$MNAMED" delete --key "$KEY" phone.example || test_fail "delete failed"
test_wait_for_count "$TEST_TMP/watch.out" '^\{' 2 5 || test_fail "watch did not print the deletion"
jq -e 'select(.name == "phone.example" and .deleted == true)' <(sed -n 2p "$TEST_TMP/watch.out") >/dev/null ||
  test_fail "second line is not a deletion: $(sed -n 2p "$TEST_TMP/watch.out")"
register 10.0.0.3:7000
test_wait_for_line "$TEST_TMP/watch.out" '10\.0\.0\.3:7000' 5 || test_fail "watch missed the registration after the deletion"
(( $(wc -l <"$TEST_TMP/watch.out") == 3 )) || test_fail "expected 3 lines: $(cat "$TEST_TMP/watch.out")"
test_running "$WATCH" || test_fail "watch ended: $(cat "$TEST_TMP/watch.log")"
test_say "watch printed change, deletion, change"

# Without --after: changes after the version stored when it started.
cli_spawn 40 "$MNAMED" watch -v phone.example </dev/null >"$TEST_TMP/watch2.out" 2>"$TEST_TMP/watch2.log"
test_wait_for_line "$TEST_TMP/watch2.log" 'watching phone.example after version [1-9]' 5 ||
  test_fail "watch -v never said it was watching"
register 10.0.0.4:7000
test_wait_for_line "$TEST_TMP/watch2.out" '10\.0\.0\.4:7000' 5 || test_fail "the second watch did not print the change"
(( $(wc -l <"$TEST_TMP/watch2.out") == 1 )) || test_fail "the second watch printed old versions: $(cat "$TEST_TMP/watch2.out")"

kill -TERM "$WATCH"
test_expect_exit "$WATCH" "mnamed watch (SIGTERM)" 0
test_say PASS
