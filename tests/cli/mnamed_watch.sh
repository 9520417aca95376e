#!/usr/bin/env bash
# `mnamed watch` prints one JSON line per change as it is written: a new
# version registered by another process, a deletion, a registration after
# it. Without --after it starts from the version stored now.
# Usage: mnamed_watch.sh MNAMED
set -euo pipefail
MNAMED=${1:?usage: mnamed_watch.sh MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_require_commands jq
cli_require_exe "$MNAMED"
KEY=$CLI_TMP/owner.key
timeout 10 "$MNAMED" keygen --out "$KEY" >/dev/null || cli_fail "keygen failed"
cli_listen srv 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$CLI_TMP/data" </dev/null
export MNAMED_SERVER=http://127.0.0.1:$CLI_PORT

register() {
  timeout 10 "$MNAMED" register --key "$KEY" phone.example "$1" >"$CLI_TMP/register.out" 2>"$CLI_TMP/register.log" ||
    cli_fail "register $1 failed: $(cat "$CLI_TMP/register.log")"
}
register 10.0.0.1:7000
V1=$(jq .version "$CLI_TMP/register.out")

# From V1 on: nothing to print until the next version.
cli_spawn 40 "$MNAMED" watch --after "$V1" phone.example </dev/null >"$CLI_TMP/watch.out" 2>"$CLI_TMP/watch.log"
WATCH=$CLI_PID
start=$(cli_now_us)
register 10.0.0.2:7000
cli_wait_for_line "$CLI_TMP/watch.out" '10\.0\.0\.2:7000' 5000 || cli_fail "watch did not print the new version"
cli_say "watch printed the new version $(( ($(cli_now_us) - start) / 1000 )) ms after register started"
jq -e --argjson v1 "$V1" 'select(.version > $v1 and .addresses == ["10.0.0.2:7000"])' \
  <(head -n 1 "$CLI_TMP/watch.out") >/dev/null || cli_fail "not the new record: $(head -n 1 "$CLI_TMP/watch.out")"
cmp -s "$CLI_TMP/register.out" <(head -n 1 "$CLI_TMP/watch.out") || cli_fail "watch printed another record than register"

timeout 10 "$MNAMED" delete --key "$KEY" phone.example || cli_fail "delete failed"
cli_wait_for_count "$CLI_TMP/watch.out" '^\{' 2 5000 || cli_fail "watch did not print the deletion"
jq -e 'select(.name == "phone.example" and .deleted == true)' <(sed -n 2p "$CLI_TMP/watch.out") >/dev/null ||
  cli_fail "second line is not a deletion: $(sed -n 2p "$CLI_TMP/watch.out")"
register 10.0.0.3:7000
cli_wait_for_line "$CLI_TMP/watch.out" '10\.0\.0\.3:7000' 5000 || cli_fail "watch missed the registration after the deletion"
(( $(wc -l <"$CLI_TMP/watch.out") == 3 )) || cli_fail "expected 3 lines: $(cat "$CLI_TMP/watch.out")"
cli_running "$WATCH" || cli_fail "watch ended: $(cat "$CLI_TMP/watch.log")"
cli_say "watch printed change, deletion, change"

# Without --after: changes after the version stored when it started.
cli_spawn 40 "$MNAMED" watch -v phone.example </dev/null >"$CLI_TMP/watch2.out" 2>"$CLI_TMP/watch2.log"
cli_wait_for_line "$CLI_TMP/watch2.log" 'watching phone.example after version [1-9]' 5000 ||
  cli_fail "watch -v never said it was watching"
register 10.0.0.4:7000
cli_wait_for_line "$CLI_TMP/watch2.out" '10\.0\.0\.4:7000' 5000 || cli_fail "the second watch did not print the change"
(( $(wc -l <"$CLI_TMP/watch2.out") == 1 )) || cli_fail "the second watch printed old versions: $(cat "$CLI_TMP/watch2.out")"

kill -TERM "$WATCH"
cli_expect_exit "$WATCH" "mnamed watch (SIGTERM)" 0
cli_say PASS
