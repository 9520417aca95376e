#!/usr/bin/env bash
# mnamed lookup pins a name's owner key on first use, in the known-names
# file ($XDG_CONFIG_HOME/msocket/known_names, or --known-names). Another
# name service that answers with another key's record of the name is
# refused: exit 3, nothing on stdout, and a message naming the name, both
# keys and the file. --no-pin and another file do not check the pin.
# Usage: mnamed_pinning.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq
KNOWN=$XDG_CONFIG_HOME/msocket/known_names
for who in owner attacker; do
  timeout 10 "$MNAMED" keygen --out "$TEST_TMP/$who.key" >"$TEST_TMP/$who.pub" || test_fail "keygen $who failed"
done
OWNER=$(cat "$TEST_TMP/owner.pub")
ATTACKER=$(cat "$TEST_TMP/attacker.pub")
# The text as an extended regular expression of itself (base64 has '+' and '/').
literal() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }

cli_listen real 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$TEST_TMP/real" </dev/null
REAL=http://127.0.0.1:$CLI_PORT
cli_listen fake 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$TEST_TMP/fake" </dev/null
FAKE=http://127.0.0.1:$CLI_PORT
timeout 10 "$MNAMED" register --server "$REAL" --key "$TEST_TMP/owner.key" bank.example 10.0.0.1:443 >/dev/null ||
  test_fail "the owner's registration failed"
timeout 10 "$MNAMED" register --server "$FAKE" --key "$TEST_TMP/attacker.key" bank.example 10.6.6.6:443 >/dev/null ||
  test_fail "the attacker's registration on the fake service failed"

test_run first 0 10 "$MNAMED" lookup --server "$REAL" bank.example
test_expect_grep "$TEST_TMP/first.log" "^mnamed lookup: pinned the owner key of bank.example \($(literal "$OWNER")\) in $(literal "$KNOWN")\$" "first use"
[[ $(cat "$KNOWN") == "bank.example $OWNER" ]] || test_fail "known_names holds: $(cat "$KNOWN")"
[[ $(stat -c %a "$KNOWN") == 600 && $(stat -c %a "$(dirname "$KNOWN")") == 700 ]] || test_fail "modes of known_names"
test_say "first lookup pinned $OWNER in $KNOWN"
test_run again 0 10 "$MNAMED" lookup --server "$REAL" bank.example
[[ ! -s $TEST_TMP/again.log ]] || test_fail "a matching lookup said: $(cat "$TEST_TMP/again.log")"

test_run forged 3 10 "$MNAMED" lookup --server "$FAKE" bank.example
[[ ! -s $TEST_TMP/forged.out ]] || test_fail "the forged record was printed: $(cat "$TEST_TMP/forged.out")"
test_expect_grep "$TEST_TMP/forged.log" "^mnamed lookup: bank.example: name's key does not match the pinned key$" "mismatch"
test_expect_grep "$TEST_TMP/forged.log" "pinned key: +$(literal "$OWNER") \($(literal "$KNOWN")\)" "the pinned key"
test_expect_grep "$TEST_TMP/forged.log" "offered key: +$(literal "$ATTACKER")\$" "the offered key"
[[ $(cat "$KNOWN") == "bank.example $OWNER" ]] || test_fail "known_names changed: $(cat "$KNOWN")"
test_say "the fake service's record: exit 3, $(head -n 1 "$TEST_TMP/forged.log")"

test_run unpinned 0 10 "$MNAMED" lookup --no-pin --server "$FAKE" bank.example
test_run elsewhere 0 10 "$MNAMED" lookup --known-names "$TEST_TMP/other_known" --server "$FAKE" bank.example
[[ $(cat "$TEST_TMP/other_known") == "bank.example $ATTACKER" ]] || test_fail "--known-names: $(cat "$TEST_TMP/other_known")"
test_expect_usage_error 'do not go together' "$MNAMED" lookup --no-pin --known-names x --server "$REAL" bank.example
test_say "--no-pin and --known-names FILE work as documented"
test_say PASS
