#!/usr/bin/env bash
# mnamed list: the live records whose names begin with a prefix, one line of
# JSON each, in name order. Two relays registered under "mproxy." are
# listed, as register printed them, and a name that only looks alike
# ("mproxy-c") is not; --limit; a deleted name leaves the listing; a forged
# record in the server's data is served but left out by the client, with a
# warning; nothing listed exits 0 with no output; usage errors exit 2,
# network errors 1.
# Usage: mnamed_list.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq curl

# run NAME STATUS ARGS...: run mnamed (test_run, 10 s at most: stdout in
# $TEST_TMP/NAME.out, stderr in $TEST_TMP/NAME.log); fail unless it exits STATUS.
run() {
  test_run "$1" "$2" 10 "$MNAMED" "${@:3}"
  test_say "$1: exit $2 $(head -n 1 "$TEST_TMP/$1.log")"
}
expect_log() { test_expect_grep "$TEST_TMP/$1.log" "$2" "$1"; }
# expect_names NAME JSON: the records printed by run NAME have these names, in this order.
expect_names() {
  local names
  names=$(jq -s -c 'map(.name)' "$TEST_TMP/$1.out") || test_fail "$1: not JSON lines: $(head -c 400 "$TEST_TMP/$1.out")"
  [[ $names == "$2" ]] || test_fail "$1: listed $names, expected $2"
  test_say "$1: listed $names"
}

DATA=$TEST_TMP/data
KEY=$TEST_TMP/relay.key
run keygen 0 keygen --out "$KEY"
cli_listen srv1 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
URL=http://127.0.0.1:$CLI_PORT

run register_b 0 register --server "$URL" --key "$KEY" mproxy.b 127.0.0.1:7402
run register_c 0 register --server "$URL" --key "$KEY" mproxy-c 127.0.0.1:7403
run register_a 0 register --server "$URL" --key "$KEY" mproxy.a 127.0.0.1:7401 '[::1]:7401'

run list 0 list --server "$URL" mproxy.
expect_names list '["mproxy.a","mproxy.b"]'
cat "$TEST_TMP/register_a.out" "$TEST_TMP/register_b.out" | cmp -s - "$TEST_TMP/list.out" ||
  test_fail "list does not print the records as register printed them: $(cat "$TEST_TMP/list.out")"
[[ ! -s $TEST_TMP/list.log ]] || test_fail "list wrote to stderr: $(cat "$TEST_TMP/list.log")"

export MNAMED_SERVER=$URL
run list_env 0 list mproxy.
cmp -s "$TEST_TMP/list.out" "$TEST_TMP/list_env.out" || test_fail "MNAMED_SERVER does not stand for --server"
run list_limit 0 list --limit 1 mproxy.
expect_names list_limit '["mproxy.a"]'
run list_wide 0 list mproxy
expect_names list_wide '["mproxy-c","mproxy.a","mproxy.b"]'
run list_none 0 list nobody.
[[ ! -s $TEST_TMP/list_none.out ]] || test_fail "list nobody. printed $(cat "$TEST_TMP/list_none.out")"

run delete 0 delete --key "$KEY" mproxy.b
run list_deleted 0 list mproxy.
expect_names list_deleted '["mproxy.a"]'

# A record whose signature does not verify (mproxy.a's, renamed), put in
# the server's log while it is stopped: the server serves it, the client
# leaves it out and says so.
kill -TERM "$CLI_PID"
test_expect_exit "$CLI_PID" "mnamed serve (SIGTERM)" 0
jq -c '{put: (.name = "mproxy.z")}' "$TEST_TMP/register_a.out" >>"$DATA/log.jsonl"
cli_listen srv2 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$DATA" </dev/null
export MNAMED_SERVER=http://127.0.0.1:$CLI_PORT
curl -s "$MNAMED_SERVER/v1/names/?prefix=mproxy." >"$TEST_TMP/served.json"
jq -e '[.records[].name] == ["mproxy.a","mproxy.z"]' "$TEST_TMP/served.json" >/dev/null ||
  test_fail "the server does not serve the forged record: $(cat "$TEST_TMP/served.json")"
run list_forged 0 list mproxy.
expect_names list_forged '["mproxy.a"]'
expect_log list_forged 'left mproxy.z out of the listing of mproxy.: its signature does not verify'

# --- usage errors: exit 2 ------------------------------------------------------
run no_prefix 2 list
expect_log no_prefix '^mnamed list: a PREFIX is required'
expect_log no_prefix '^usage: mnamed list'
run bad_prefix 2 list 'mproxy.*'
expect_log bad_prefix "invalid prefix 'mproxy\.\*'"
run two_prefixes 2 list mproxy. other.
expect_log two_prefixes "too many arguments: 'other.'"
run zero_limit 2 list --limit 0 mproxy.
expect_log zero_limit "--limit wants a whole number from 1 up, got '0'"
run bad_limit 2 list --limit some mproxy.
expect_log bad_limit "--limit wants a whole number from 1 up, got 'some'"
run bad_server 2 list --server ftp://x:1 mproxy.
expect_log bad_server "--server .*ftp://x:1"

# --- network errors: exit 1 ----------------------------------------------------
kill -TERM "$CLI_PID"
test_expect_exit "$CLI_PID" "mnamed serve (SIGTERM)" 0
run refused 1 list mproxy.
expect_log refused '^mnamed list: mproxy.: .*[Rr]efused'

run help 0 list --help
test_expect_grep "$TEST_TMP/help.out" '^usage: mnamed list' "mnamed list --help"
test_expect_grep "$TEST_TMP/help.out" '--limit' "mnamed list --help"
test_say PASS
