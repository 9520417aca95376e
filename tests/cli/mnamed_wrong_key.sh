#!/usr/bin/env bash
# A name belongs to the key that registered it first: an update or a delete
# signed by another key is refused (exit 1, "name is owned by another key")
# and the record stays exactly as it was.
# Usage: mnamed_wrong_key.sh MNAMED
set -euo pipefail
MNAMED=${1:?usage: mnamed_wrong_key.sh MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_exe "$MNAMED"
for who in owner stranger; do
  timeout 10 "$MNAMED" keygen --out "$CLI_TMP/$who.key" >/dev/null || cli_fail "keygen $who failed"
done

cli_listen srv 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$CLI_TMP/data" </dev/null
export MNAMED_SERVER=http://127.0.0.1:$CLI_PORT
timeout 10 "$MNAMED" register --key "$CLI_TMP/owner.key" bank.example 10.0.0.1:443 >/dev/null ||
  cli_fail "the owner's registration failed"
timeout 10 "$MNAMED" lookup bank.example >"$CLI_TMP/before.json" || cli_fail "lookup failed"

# expect_refusal NAME ARGS...: exit 1 with the owner's refusal on stderr.
expect_refusal() {
  local name=$1 status=0
  shift
  timeout 10 "$MNAMED" "$@" >"$CLI_TMP/$name.out" 2>"$CLI_TMP/$name.log" || status=$?
  ((status == 1)) || cli_fail "$name: exit $status, expected 1; stderr: $(cat "$CLI_TMP/$name.log")"
  cli_expect_grep "$CLI_TMP/$name.log" '^mnamed [a-z]+: bank.example: name is owned by another key$' "$name"
  [[ ! -s $CLI_TMP/$name.out ]] || cli_fail "$name printed a record: $(cat "$CLI_TMP/$name.out")"
  cli_say "$name: exit 1: $(cat "$CLI_TMP/$name.log")"
}
expect_refusal hijack register --key "$CLI_TMP/stranger.key" bank.example 10.6.6.6:443
expect_refusal delete delete --key "$CLI_TMP/stranger.key" bank.example

timeout 10 "$MNAMED" lookup bank.example >"$CLI_TMP/after.json" || cli_fail "lookup failed"
cmp -s "$CLI_TMP/before.json" "$CLI_TMP/after.json" ||
  cli_fail "the record changed: before $(cat "$CLI_TMP/before.json"), after $(cat "$CLI_TMP/after.json")"
cli_expect_grep "$CLI_TMP/srv.log" 'refused PUT bank.example .*name is owned by another key' "server log"
cli_say "the record is unchanged"
cli_say PASS
