#!/usr/bin/env bash
# Encryption is chosen at both ends or at neither (docs/protocol.md §4.2):
# --no-encrypt at both ends transfers exactly; at one end only, the client
# is refused with a message that says which end encrypts, and exits 1. And a
# server that does not prove the key the client expects (--peer-key, by
# address) makes the client exit 3, naming the keys.
# Usage: encryption_choice.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
test_require_commands base64

SIZE=$((2 * 1024 * 1024))
test_random_file "$TEST_TMP/in.bin" "$SIZE"

# listener NAME MCAT_OPTION...: `mcat -l -k -v 127.0.0.1 0 OPTION...` that
# sends in.bin to each client; sets CLI_PORT, and LISTENER (its pid).
listener() {
  local name=$1
  shift
  cli_listen "$name" 50 "$MCAT" -l -k -v "$@" -c "cat $TEST_TMP/in.bin" 127.0.0.1 0 </dev/null >/dev/null
  LISTENER=$CLI_PID
}

# client NAME STATUS MCAT_OPTION...: a client that receives into NAME.out
# must exit STATUS; its stderr is NAME.log.
client() {
  local name=$1 status=$2
  shift 2
  test_run "$name" "$status" 20 "$MCAT" --recv-only -w 5s "$@" 127.0.0.1 "$CLI_PORT"
  test_say "$name: exit $status: $(grep -m1 . "$TEST_TMP/$name.log" || echo '(nothing on stderr)')"
}

listener plain --no-encrypt
client both_plain 0 --no-encrypt
test_expect_same "$TEST_TMP/in.bin" "$TEST_TMP/both_plain.out" "--no-encrypt at both ends"
client only_listener_plain 1
test_expect_grep "$TEST_TMP/only_listener_plain.log" \
  '^mcat: cannot connect to .*: the server runs without encryption \(give --no-encrypt at both ends or at neither\)$' \
  "a client that encrypts, to a listener with --no-encrypt"
test_expect_grep "$TEST_TMP/plain.log" 'refused new connection from .*it asked for encryption, and we run with --no-encrypt' \
  "the listener's log"
kill "$LISTENER"

listener encrypted
client only_client_plain 1 --no-encrypt
test_expect_grep "$TEST_TMP/only_client_plain.log" \
  '^mcat: cannot connect to .*: the server requires encryption \(give --no-encrypt at both ends or at neither\)$' \
  "a client with --no-encrypt, to a listener that encrypts"
test_expect_grep "$TEST_TMP/encrypted.log" 'refused new connection from .*it asked for no encryption \(--no-encrypt\)' \
  "the listener's log"
client both_encrypted 0
test_expect_same "$TEST_TMP/in.bin" "$TEST_TMP/both_encrypted.out" "encryption at both ends"

# --peer-key by address: a listener without a key proves none; one with
# another key proves the wrong one.
"$MNAMED" keygen --out "$TEST_TMP/server.key" >/dev/null
"$MNAMED" keygen --out "$TEST_TMP/expected.key" >/dev/null
server_key=$(base64 -d <"$TEST_TMP/server.key" | tail -c 32 | base64)
expected_key=$(base64 -d <"$TEST_TMP/expected.key" | tail -c 32 | base64)
# The keys as regular expressions (base64 has '+' and '/').
server_key_re=$(sed 's/[+/]/\\&/g' <<<"$server_key")
expected_key_re=$(sed 's/[+/]/\\&/g' <<<"$expected_key")
client no_identity 3 --peer-key "$expected_key"
test_expect_grep "$TEST_TMP/no_identity.log" "proved no identity; expected key $expected_key_re" "a listener without a key"
test_expect_grep "$TEST_TMP/no_identity.log" '^mcat: cannot connect to .*: the server proved no identity, but a key was expected$' \
  "a listener without a key"
kill "$LISTENER"

listener signed --key "$TEST_TMP/server.key"
client wrong_key 3 --peer-key "$expected_key"
test_expect_grep "$TEST_TMP/wrong_key.log" "signed with key $server_key_re; expected key $expected_key_re" "a listener with another key"
test_expect_grep "$TEST_TMP/wrong_key.log" "^mcat: cannot connect to .*: the server's identity key does not match the expected key$" \
  "a listener with another key"
[[ ! -s $TEST_TMP/wrong_key.out ]] || test_fail "the refused client wrote $(test_file_size "$TEST_TMP/wrong_key.out") bytes"
client right_key 0 --peer-key "$server_key"
test_expect_same "$TEST_TMP/in.bin" "$TEST_TMP/right_key.out" "--peer-key with the listener's key"
kill "$LISTENER"
test_say "PASS"
