#!/usr/bin/env bash
# The pool of relays on loopback: `mproxy --names URL --key FILE` registers
# its control endpoint in mnamed under mproxy.127-0-0-2-PORT, which
# `mnamed list mproxy.` shows with its load; of two relays as near (on
# loopback, all are), `mcat -l --proxy auto=1` picks the less loaded one
# (the other is half full: one of 2 reservations), reserves its name on
# it, and a client by name gets a file through it exact; SIGTERM takes the relay out of the pool at once (its record is
# deleted) and it exits 0. Usage errors of --key and --name exit 2 naming
# the option.
# Usage: mproxy_pool.sh MPROXY MNAMED MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MPROXY MNAMED MCAT -- "$@"
test_require_commands jq

# --- usage errors: exit 2, naming the option ----------------------------------
test_run key_without_names 2 10 "$MPROXY" --listen 127.0.0.2:0 --key k
test_expect_grep "$TEST_TMP/key_without_names.log" '^mproxy: --key needs --names' key_without_names
test_run name_without_key 2 10 "$MPROXY" --listen 127.0.0.2:0 --names http://127.0.0.1:1 --name mproxy.a
test_expect_grep "$TEST_TMP/name_without_key.log" '^mproxy: --name goes with --key' name_without_key
test_run name_outside_pool 2 10 "$MPROXY" --listen 127.0.0.2:0 --names http://127.0.0.1:1 --key k --name relay7
test_expect_grep "$TEST_TMP/name_outside_pool.log" "^mproxy: --name wants mproxy.SOMETHING .*'relay7'" name_outside_pool
test_run bad_buffer 2 10 "$MPROXY" --listen 127.0.0.2:0 --buffer lots
test_expect_grep "$TEST_TMP/bad_buffer.log" "^mproxy: --buffer wants BYTES up to 1G .*'lots'" bad_buffer
test_say "usage errors name --key, --name and --buffer"

# --- a relay in the pool, a listener that picks it -------------------------------
for key in relay busy filler srv; do
  timeout 10 "$MNAMED" keygen --out "$TEST_TMP/$key.key" >/dev/null || test_fail "keygen failed"
done
cli_listen names 60 "$MNAMED" serve --listen 127.0.0.1:0 --data-dir "$TEST_TMP/data" </dev/null
NAMES=http://127.0.0.1:$CLI_PORT
cli_listen relay 60 "$MPROXY" -v --listen 127.0.0.2:0 --names "$NAMES" --key "$TEST_TMP/relay.key" </dev/null
RELAY=$CLI_PID
RELAY_PORT=$CLI_PORT
POOL_NAME=mproxy.127-0-0-2-$RELAY_PORT
test_wait_for_line "$TEST_TMP/relay.log" "in the pool of relays as $POOL_NAME at 127\.0\.0\.2:$RELAY_PORT" 5 ||
  test_fail "the relay never joined the pool: $(cat "$TEST_TMP/relay.log")"
timeout 10 "$MNAMED" list --server "$NAMES" mproxy. >"$TEST_TMP/list.out" 2>"$TEST_TMP/list.log" ||
  test_fail "mnamed list failed: $(cat "$TEST_TMP/list.log")"
jq -e -s --arg name "$POOL_NAME" --arg at "127.0.0.2:$RELAY_PORT" \
  'length == 1 and .[0].name == $name and .[0].addresses == [$at]' "$TEST_TMP/list.out" >/dev/null ||
  test_fail "mnamed list mproxy. is not the relay: $(cat "$TEST_TMP/list.out")"
test_say "mnamed list mproxy.: $(jq -c '{name, addresses}' "$TEST_TMP/list.out")"

# A second relay, half full: 1 of its 2 reservations taken. It renews its
# record (with its load) every second.
cli_listen busy 60 "$MPROXY" --listen 127.0.0.3:0 --names "$NAMES" --key "$TEST_TMP/busy.key" \
  --max-reservations 2 --ttl 3s </dev/null
BUSY_PORT=$CLI_PORT
cli_listen filler 60 "$MCAT" -l -k -v --names "$NAMES" --name filler --key "$TEST_TMP/filler.key" \
  --proxy "127.0.0.3:$BUSY_PORT" 127.0.0.1 0 </dev/null
test_wait_for_line "$TEST_TMP/filler.log" "reached through relays at 127\.0\.0\.3:" 10 ||
  test_fail "the filler did not reserve on the busy relay: $(cat "$TEST_TMP/filler.log")"
busy_load() {
  timeout 5 "$MNAMED" list --server "$NAMES" mproxy. >"$TEST_TMP/list.out" 2>/dev/null &&
    jq -e -s --arg at "127.0.0.3:$BUSY_PORT" 'any(.[]; .addresses == [$at] and .load == 500)' \
      "$TEST_TMP/list.out" >/dev/null || { sleep 0.3 && false; }
}
test_wait_until 5 busy_load || test_fail "the busy relay's record never said load 500: $(cat "$TEST_TMP/list.out")"
test_say "pool: $(jq -c '{addresses, load}' "$TEST_TMP/list.out" | tr '\n' ' ')"

test_random_file "$TEST_TMP/file" $((4 * 1024 * 1024))
cli_listen srv 60 "$MCAT" -l -v --names "$NAMES" --name srv --key "$TEST_TMP/srv.key" --proxy auto=1 \
  127.0.0.1 0 <"$TEST_TMP/file"
test_wait_for_line "$TEST_TMP/srv.log" "reached through relays at 127\.0\.0\.2:[0-9]+" 10 ||
  test_fail "the listener did not reserve on the pool's relay: $(cat "$TEST_TMP/srv.log")"
test_say "listener: $(grep -m1 -o 'reached through relays at .*' "$TEST_TMP/srv.log")"
grep -q "relays by connect time, then load: .*127\.0\.0\.3:$BUSY_PORT [0-9]* us (load 500/1000)" "$TEST_TMP/srv.log" ||
  test_fail "the listener did not weigh the relays' loads: $(grep 'relays by' "$TEST_TMP/srv.log")"
cli_spawn 30 "$MCAT" --recv-only --names "$NAMES" srv </dev/null >"$TEST_TMP/got" 2>"$TEST_TMP/cli.log"
test_expect_exit "$CLI_PID" client 0
test_expect_same "$TEST_TMP/file" "$TEST_TMP/got" "through the pool's relay"

# --- SIGTERM: out of the pool at once -----------------------------------------------
kill -TERM "$(cli_child_pid "$RELAY")"
gone() { ! timeout 5 "$MNAMED" lookup --server "$NAMES" "$POOL_NAME" >/dev/null 2>&1; }
test_wait_until 2 gone || test_fail "$POOL_NAME is still in the pool 2 s after SIGTERM"
test_wait_for_line "$TEST_TMP/relay.log" "left the pool of relays" 2 || test_fail "the relay did not say it left the pool"
test_expect_exit "$RELAY" "mproxy (SIGTERM)" 0
test_say PASS
