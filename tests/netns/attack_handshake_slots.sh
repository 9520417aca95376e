#!/usr/bin/env bash
# One address cannot take a listener's handshake slots from everyone else
# (docs/protocol.md §4.5): tests/tools/attacker hold-handshakes opens 1000
# TCP connections from the router's 10.200.6.1 and sends nothing; the
# listener keeps 32 of them (until the handshake timeout) and closes the
# rest at once. Meanwhile a real client connects, sends 16 MiB through
# the listener's echo (-c cat) and moves, and gets it all back exactly.
# Usage: attack_handshake_slots.sh MCAT ATTACKER
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT ATTACKER -- "$@"
tb_require_root ss

SIZE=$((16 * 1024 * 1024))
HELD=1000
HOLD_SECONDS=16
SLOTS_PER_SOURCE=32

tb_topology_client_router_server 80mbit
test_random_file "$TEST_TMP/up.bin" "$SIZE"
# -k: the listener outlives the transfer, so that what closes the held
# connections is its handshake timeout, not its exit. It echoes.
tb_start_listener 120 -k -c cat </dev/null >/dev/null
server=$TB_SERVER

tb_spawn "$TB_RTR" 60 "$ATTACKER" hold-handshakes "$TB_SRV_ADDR" 7000 "$HELD" "$HOLD_SECONDS" --source 10.200.6.1 \
  </dev/null >"$TEST_TMP/hold.out" 2>"$TEST_TMP/hold.log"
holder=$TB_PID
test_wait_for_line "$TEST_TMP/hold.out" 'accepted by the kernel' 20 || test_fail "the attacker did not open its connections"
test_say "attacker: $(grep -m1 'accepted by the kernel' "$TEST_TMP/hold.out")"

tb_start_exchange_client 120 "$SIZE" -v "$TB_SRV_ADDR" 7000
test_wait_for_line "$TEST_TMP/cli.log" 'connected to ' 10 || test_fail "the client did not connect while the slots were held"
test_running "$holder" || test_fail "the attacker stopped before the client connected; the test proves nothing"
test_say "client connected while the attacker holds its handshakes"
tb_wait_for_download $((SIZE / 2))
tb_move_client 10.200.3.2/24 10.200.3.1
tb_wait_for_migration 1
test_expect_exit "$TB_CLIENT" client
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/cli.out" "echo of $((SIZE >> 20)) MiB"
test_running "$holder" && test_say "the attacker was still holding its connections when the transfer ended"

status=0; test_wait_pid "$holder" || status=$?
((status == 0)) || test_fail "the attacker failed (status $status): $(cat "$TEST_TMP/hold.log")"
sed 's/^/  /' "$TEST_TMP/hold.out"
figure() { grep -oE "$1=[0-9]+" "$TEST_TMP/hold.out" | cut -d= -f2; }
accepted=$(figure accepted)
early=$(figure closed_early)
held=$(figure held)
test_say "of $accepted connections: $early closed at once, $(figure closed_later) later (the handshake timeout is 10 s), $held never"
((early >= accepted - SLOTS_PER_SOURCE)) ||
  test_fail "the listener closed only $early of $accepted at once: one address holds more than $SLOTS_PER_SOURCE slots"
((held == 0)) || test_fail "$held connections that sent nothing were still open after $HOLD_SECONDS s"
test_running "$server" || test_fail "the listener stopped"
test_say "PASS"
