#!/usr/bin/env bash
# A name belongs to the key that registered it first: an update or a delete
# signed by another key is refused (exit 1, "name is owned by another key")
# and the record stays exactly as it was.
# Usage: mnamed_wrong_key.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
for who in owner stranger; do
  timeout 10 "$MNAMED" keygen --out "$TEST_TMP/$who.key" >/dev/null || test_fail "keygen $who failed"
done

cli_listen srv 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$TEST_TMP/data" </dev/null
export MNAMED_SERVER=http://127.0.0.1:$CLI_PORT
timeout 10 "$MNAMED" register --key "$TEST_TMP/owner.key" bank.example 10.0.0.1:443 >/dev/null ||
  test_fail "the owner's registration failed"
timeout 10 "$MNAMED" lookup bank.example >"$TEST_TMP/before.json" || test_fail "lookup failed"

# expect_refusal NAME ARGS...: exit 1 with the owner's refusal on stderr.
expect_refusal() {
  local name=$1 status=0
  shift
  timeout 10 "$MNAMED" "$@" >"$TEST_TMP/$name.out" 2>"$TEST_TMP/$name.log" || status=$?
  ((status == 1)) || test_fail "$name: exit $status, expected 1; stderr: $(cat "$TEST_TMP/$name.log")"
  test_expect_grep "$TEST_TMP/$name.log" '^mnamed [a-z]+: bank.example: name is owned by another key$' "$name"
  [[ ! -s $TEST_TMP/$name.out ]] || test_fail "$name printed a record: $(cat "$TEST_TMP/$name.out")"
  test_say "$name: exit 1: $(cat "$TEST_TMP/$name.log")"
}
expect_refusal hijack register --key "$TEST_TMP/stranger.key" bank.example 10.6.6.6:443
expect_refusal delete delete --key "$TEST_TMP/stranger.key" bank.example

timeout 10 "$MNAMED" lookup bank.example >"$TEST_TMP/after.json" || test_fail "lookup failed"
cmp -s "$TEST_TMP/before.json" "$TEST_TMP/after.json" ||
  test_fail "the record changed: before $(cat "$TEST_TMP/before.json"), after $(cat "$TEST_TMP/after.json")"
test_expect_grep "$TEST_TMP/srv.log" 'refused PUT bank.example .*name is owned by another key' "server log"
test_say "the record is unchanged"
test_say PASS
