#!/usr/bin/env bash
# What mnamed acknowledged survives `kill -9`: register (several versions),
# kill the server the moment the last answer arrives, restart it on the same
# data directory; the last record is there, and updates go on from it.
# Usage: mnamed_crash.sh MNAMED
set -euo pipefail
MNAMED=${1:?usage: mnamed_crash.sh MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands jq
cli_require_exe "$MNAMED"
DATA=$CLI_TMP/data
KEY=$CLI_TMP/owner.key
timeout 10 "$MNAMED" keygen --out "$KEY" >/dev/null || cli_fail "keygen failed"

cli_listen srv1 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
SERVER=$(cli_child_pid "$CLI_PID")
for i in 1 2 3 4 5; do
  timeout 10 "$MNAMED" register --server "http://127.0.0.1:$CLI_PORT" --key "$KEY" \
    crash.example "10.0.0.$i:7000" >"$CLI_TMP/register.out" 2>"$CLI_TMP/register.log" ||
    cli_fail "register $i failed: $(cat "$CLI_TMP/register.log")"
done
kill -KILL "$SERVER"
cli_expect_exit "$CLI_PID" "mnamed serve (kill -9)" 137
cli_say "killed mnamed serve right after the 5th update was acknowledged"

cli_listen srv2 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
URL=http://127.0.0.1:$CLI_PORT
timeout 10 "$MNAMED" lookup --server "$URL" crash.example >"$CLI_TMP/lookup.out" 2>"$CLI_TMP/lookup.log" ||
  cli_fail "lookup after restart failed: $(cat "$CLI_TMP/lookup.log")"
cmp -s "$CLI_TMP/register.out" "$CLI_TMP/lookup.out" ||
  cli_fail "after restart: $(cat "$CLI_TMP/lookup.out"), but the acknowledged record was $(cat "$CLI_TMP/register.out")"
cli_say "the acknowledged record survived: $(jq -c .addresses "$CLI_TMP/lookup.out")"

timeout 10 "$MNAMED" register --server "$URL" --key "$KEY" crash.example 10.0.0.6:7000 >"$CLI_TMP/after.out" ||
  cli_fail "register after restart failed"
jq -e --argjson v "$(jq .version "$CLI_TMP/lookup.out")" '.version > $v' "$CLI_TMP/after.out" >/dev/null ||
  cli_fail "the version did not go up after the restart"
cli_say PASS
