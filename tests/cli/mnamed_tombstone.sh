#!/usr/bin/env bash
# A delete leaves a signed tombstone: the old record, replayed after the
# delete (by anyone: it is signed), is refused with 409 and the name stays
# deleted; another key still cannot take the name; all of it after a
# restart too. The owner may register the name again.
# Usage: mnamed_tombstone.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq curl
DATA=$TEST_TMP/data
for who in owner stranger; do
  timeout 10 "$MNAMED" keygen --out "$TEST_TMP/$who.key" >/dev/null || test_fail "keygen $who failed"
done

cli_listen srv1 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
export MNAMED_SERVER=http://127.0.0.1:$CLI_PORT
timeout 10 "$MNAMED" register --key "$TEST_TMP/owner.key" vault.example 10.0.0.1:443 >"$TEST_TMP/old.json" ||
  test_fail "the owner's registration failed"
timeout 10 "$MNAMED" delete --key "$TEST_TMP/owner.key" vault.example || test_fail "the owner's delete failed"
test_say "registered vault.example version $(jq .version "$TEST_TMP/old.json"), then deleted it"

# expect_replay_refused LABEL: PUT of the old record answers 409, and the name stays deleted.
expect_replay_refused() {
  local status
  status=$(curl -s -o "$TEST_TMP/replay.json" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data-binary @"$TEST_TMP/old.json" "$MNAMED_SERVER/v1/names/vault.example")
  [[ $status == 409 ]] || test_fail "$1: the replayed record got $status, expected 409: $(cat "$TEST_TMP/replay.json")"
  jq -e '.error == "version is not newer than the stored one"' "$TEST_TMP/replay.json" >/dev/null ||
    test_fail "$1: the refusal says $(cat "$TEST_TMP/replay.json")"
  status=$(curl -s -o /dev/null -w '%{http_code}' "$MNAMED_SERVER/v1/names/vault.example")
  [[ $status == 404 ]] || test_fail "$1: after the replay the name answers $status, expected 404"
  test_say "$1: the old record, replayed, is refused (409) and the name stays deleted"
}
# expect_takeover_refused LABEL: another key's registration exits 1, "owned by another key".
expect_takeover_refused() {
  local status=0
  timeout 10 "$MNAMED" register --key "$TEST_TMP/stranger.key" vault.example 10.6.6.6:443 \
    >/dev/null 2>"$TEST_TMP/takeover.log" || status=$?
  ((status == 1)) || test_fail "$1: another key's registration exited $status, expected 1"
  test_expect_grep "$TEST_TMP/takeover.log" 'vault.example: name is owned by another key$' "$1"
  test_say "$1: another key cannot take the deleted name"
}
expect_replay_refused "before a restart"
expect_takeover_refused "before a restart"
test_expect_grep "$DATA/log.jsonl" '^\{"delete":\{"name":"vault.example"' "the log's tombstone"

kill -TERM "$CLI_PID"
test_expect_exit "$CLI_PID" "mnamed serve (SIGTERM)" 0
cli_listen srv2 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
export MNAMED_SERVER=http://127.0.0.1:$CLI_PORT
expect_replay_refused "after a restart"
expect_takeover_refused "after a restart"

timeout 10 "$MNAMED" register --key "$TEST_TMP/owner.key" vault.example 10.0.0.2:443 >/dev/null ||
  test_fail "the owner could not register the name again"
timeout 10 "$MNAMED" lookup --no-pin vault.example >"$TEST_TMP/new.json" || test_fail "lookup failed"
jq -e '.addresses == ["10.0.0.2:443"]' "$TEST_TMP/new.json" >/dev/null || test_fail "lookup: $(cat "$TEST_TMP/new.json")"
test_say "the owner registered vault.example again"
test_say PASS
