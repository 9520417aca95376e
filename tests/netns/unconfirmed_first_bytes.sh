#!/usr/bin/env bash
# What a listener sends before its client has shown it holds the
# connection's keys (docs/protocol.md §3.1). A client that makes the NEW
# and never confirms (tests/tools/attacker new-unconfirmed) gets:
# - from `mcat -l` with standard I/O, the file on its input, sealed, at
#   once: the first bytes of a download leave with the SETUP_ACK's flight;
# - from `mcat -l -k` and from `mcat -l -c`, nothing of the kind: they
#   take a connection only once it is confirmed, so a NEW and a reset
#   start no child and cost them nothing.
# Then a real client still gets the whole file from `mcat -l` exactly.
# Usage: unconfirmed_first_bytes.sh MCAT ATTACKER
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT ATTACKER -- "$@"
tb_require_root timeout

SIZE=$((64 * 1024))
WAIT_SECONDS=2

tb_topology_client_router_server 80mbit
test_random_file "$TEST_TMP/data.bin" "$SIZE"

# unconfirmed_bytes NAME: the bytes the listener on port 7000 sent to a
# NEW that is never confirmed, within WAIT_SECONDS.
unconfirmed_bytes() {
  local name=$1 out
  out=$(ip netns exec "$TB_CLI" timeout 20 "$ATTACKER" new-unconfirmed "$TB_SRV_ADDR" 7000 "$WAIT_SECONDS" \
    2>"$TEST_TMP/$name-attacker.log") || test_fail "$name: the attacker failed: $out $(cat "$TEST_TMP/$name-attacker.log")"
  test_say "$name: $out"
  grep -oE 'bytes_before_confirmation=[0-9]+' <<<"$out" | cut -d= -f2
}

stop_listener() {
  tb_kill_tree TERM "$TB_SERVER"
  test_wait_pid "$TB_SERVER" || true
}

# One connection on standard I/O: sent at once.
tb_start_listener 60 <"$TEST_TMP/data.bin" >/dev/null
got=$(unconfirmed_bytes "mcat -l")
((got >= SIZE / 2)) || test_fail "mcat -l sent $got bytes before the confirmation; expected the file's ($SIZE) to start at once"
stop_listener

# Going on accepting, and a child per connection: nothing until confirmed.
tb_start_listener 60 -k <"$TEST_TMP/data.bin" >/dev/null
got=$(unconfirmed_bytes "mcat -l -k")
((got < 1024)) || test_fail "mcat -l -k sent $got bytes before the confirmation"
stop_listener

tb_start_listener 60 -c "cat $TEST_TMP/data.bin" </dev/null >/dev/null
got=$(unconfirmed_bytes "mcat -l -c")
((got < 1024)) || test_fail "mcat -l -c sent $got bytes before the confirmation (a child started for it)"
test_running "$TB_SERVER" || test_fail "mcat -l -c stopped after a NEW that was never confirmed"
stop_listener

# A real client still gets the file from `mcat -l`, exactly.
tb_start_listener 60 <"$TEST_TMP/data.bin" >/dev/null
tb_spawn "$TB_CLI" 30 "$MCAT" --recv-only "$TB_SRV_ADDR" 7000 </dev/null >"$TEST_TMP/got.bin" 2>"$TEST_TMP/cli.log"
test_expect_exit "$TB_PID" client
test_expect_same "$TEST_TMP/data.bin" "$TEST_TMP/got.bin" "download of $((SIZE >> 10)) KiB"
test_say "PASS"
