#!/usr/bin/env bash
# What mnamed acknowledged survives `kill -9`: register (several versions),
# kill the server the moment the last answer arrives, restart it on the same
# data directory; the last record is there, and updates go on from it.
# Usage: mnamed_crash.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq
DATA=$TEST_TMP/data
KEY=$TEST_TMP/owner.key
timeout 10 "$MNAMED" keygen --out "$KEY" >/dev/null || test_fail "keygen failed"

cli_listen srv1 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
SERVER=$(cli_child_pid "$CLI_PID")
for i in 1 2 3 4 5; do
  timeout 10 "$MNAMED" register --server "http://127.0.0.1:$CLI_PORT" --key "$KEY" \
    crash.example "10.0.0.$i:7000" >"$TEST_TMP/register.out" 2>"$TEST_TMP/register.log" ||
    test_fail "register $i failed: $(cat "$TEST_TMP/register.log")"
done
kill -KILL "$SERVER"
test_expect_exit "$CLI_PID" "mnamed serve (kill -9)" 137
test_say "killed mnamed serve right after the 5th update was acknowledged"

cli_listen srv2 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
URL=http://127.0.0.1:$CLI_PORT
timeout 10 "$MNAMED" lookup --server "$URL" crash.example >"$TEST_TMP/lookup.out" 2>"$TEST_TMP/lookup.log" ||
  test_fail "lookup after restart failed: $(cat "$TEST_TMP/lookup.log")"
cmp -s "$TEST_TMP/register.out" "$TEST_TMP/lookup.out" ||
  test_fail "after restart: $(cat "$TEST_TMP/lookup.out"), but the acknowledged record was $(cat "$TEST_TMP/register.out")"
test_say "the acknowledged record survived: $(jq -c .addresses "$TEST_TMP/lookup.out")"

timeout 10 "$MNAMED" register --server "$URL" --key "$KEY" crash.example 10.0.0.6:7000 >"$TEST_TMP/after.out" ||
  test_fail "register after restart failed"
jq -e --argjson v "$(jq .version "$TEST_TMP/lookup.out")" '.version > $v' "$TEST_TMP/after.out" >/dev/null ||
  test_fail "the version did not go up after the restart"
test_say PASS
