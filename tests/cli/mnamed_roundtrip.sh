#!/usr/bin/env bash
# mnamed on loopback: keygen, register, lookup give back what was
# registered; MNAMED_SERVER stands for --server; usage errors exit 2 and
# name what is wrong, runtime and network errors exit 1, --help exits 0.
# Usage: mnamed_roundtrip.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq

# run NAME STATUS ARGS...: run mnamed (test_run, 10 s at most: stdout in
# $TEST_TMP/NAME.out, stderr in $TEST_TMP/NAME.log); fail unless it exits STATUS.
run() {
  test_run "$1" "$2" 10 "$MNAMED" "${@:3}"
  test_say "$1: exit $2 $(head -n 1 "$TEST_TMP/$1.log")"
}
expect_log() { test_expect_grep "$TEST_TMP/$1.log" "$2" "$1"; }

cli_listen srv 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$TEST_TMP/data" </dev/null
URL=http://127.0.0.1:$CLI_PORT
KEY=$TEST_TMP/owner.key

run keygen 0 keygen --out "$KEY"
[[ $(stat -c %a "$KEY") == 600 ]] || test_fail "the key file has mode $(stat -c %a "$KEY"), not 600"
PUBLIC=$(cat "$TEST_TMP/keygen.out")
run keygen_again 1 keygen --out "$KEY"
expect_log keygen_again "^mnamed keygen: .*exists"

before=$(date +%s)
run register 0 register --server "$URL" --key "$KEY" --ttl 10m --control 127.0.0.1:7002 \
  phone.example 127.0.0.1:7000 '[::1]:7001'
run lookup 0 lookup --server "$URL" phone.example
jq -e --arg owner "$PUBLIC" --argjson before "$before" '
  .name == "phone.example" and .addresses == ["127.0.0.1:7000", "[::1]:7001"] and
  .control == "127.0.0.1:7002" and .owner == $owner and
  .expires >= $before + 600 and .expires <= $before + 700' "$TEST_TMP/lookup.out" >/dev/null ||
  test_fail "lookup does not give back the registration: $(cat "$TEST_TMP/lookup.out")"
cmp -s "$TEST_TMP/register.out" "$TEST_TMP/lookup.out" || test_fail "register and lookup print different records"
V1=$(jq .version "$TEST_TMP/lookup.out")
test_say "registered and looked up phone.example version $V1"

MNAMED_SERVER=$URL run register2 0 register --key "$KEY" phone.example 127.0.0.2:7000
MNAMED_SERVER=$URL run lookup2 0 lookup phone.example
jq -e --argjson v1 "$V1" '.version > $v1 and .addresses == ["127.0.0.2:7000"]' "$TEST_TMP/lookup2.out" >/dev/null ||
  test_fail "the second registration did not replace the first: $(cat "$TEST_TMP/lookup2.out")"

# --- runtime and network errors: exit 1 ----------------------------------------
run unknown 1 lookup --server "$URL" nobody.example
expect_log unknown '^mnamed lookup: nobody.example: no such name$'
run no_key 1 register --server "$URL" --key "$TEST_TMP/absent.key" phone.example 127.0.0.1:1
expect_log no_key '^mnamed register: key file .*absent.key: No such file'
cp "$KEY" "$TEST_TMP/shared.key" && chmod 644 "$TEST_TMP/shared.key"
run shared_key 1 register --server "$URL" --key "$TEST_TMP/shared.key" phone.example 127.0.0.1:1
expect_log shared_key 'read by other users'
# A port nobody listens on: the server's, after it is stopped.
kill -TERM "$CLI_PID"
test_expect_exit "$CLI_PID" "mnamed serve (SIGTERM)" 0
run refused 1 lookup --server "$URL" phone.example
expect_log refused '^mnamed lookup: phone.example: .*[Rr]efused'

# --- usage errors: exit 2 ------------------------------------------------------
run no_subcommand 2
expect_log no_subcommand '^mnamed: a subcommand is required'
run bad_subcommand 2 frobnicate
expect_log bad_subcommand "^mnamed: unknown subcommand 'frobnicate'"
run bogus 2 lookup --bogus --server "$URL" a
expect_log bogus '^mnamed lookup: .*--bogus'
expect_log bogus '^usage: mnamed lookup'
run no_server 2 lookup a
expect_log no_server '--server'
run bad_server 2 lookup --server ftp://x:1 a
expect_log bad_server "--server .*ftp://x:1"
run bad_name 2 lookup --server "$URL" 'bad name'
expect_log bad_name "invalid name 'bad name'"
run no_address 2 register --server "$URL" --key "$KEY" phone.example
expect_log no_address 'ADDR:PORT'
run bad_address 2 register --server "$URL" --key "$KEY" phone.example 10.0.0.1
expect_log bad_address "not an IP:PORT address: '10.0.0.1'"
run bad_ttl 2 register --server "$URL" --key "$KEY" --ttl soon phone.example 10.0.0.1:1
expect_log bad_ttl "--ttl.*soon"
run no_key_option 2 register --server "$URL" phone.example 10.0.0.1:1
expect_log no_key_option "--key"
run bad_after 2 watch --server "$URL" --after x phone.example
expect_log bad_after "--after"
run no_data_dir 2 serve --listen 127.0.0.1:0
expect_log no_data_dir "--data-dir"
run bad_listen 2 serve --listen nowhere --data-dir "$TEST_TMP/data"
expect_log bad_listen "--listen.*nowhere"

# --- --help everywhere: exit 0 -------------------------------------------------
run help 0 --help
test_expect_grep "$TEST_TMP/help.out" '^usage: mnamed serve' "mnamed --help"
for sub in serve keygen register lookup list watch delete; do
  run "help_$sub" 0 "$sub" --help
  test_expect_grep "$TEST_TMP/help_$sub.out" "^usage: mnamed $sub" "mnamed $sub --help"
done
test_say PASS
