#!/usr/bin/env bash
# A MIGRATE captured on the path and replayed from elsewhere gets the thief
# nothing but ciphertext (docs/protocol.md §4.4): the client downloads
# 32 MiB of a marker line through tests/tools/attacker steal-proxy in the
# router; SIGUSR1 makes it migrate; the proxy holds that MIGRATE unanswered
# and replays it to the server from 10.200.6.1, capturing what comes back.
# The server accepts the replay (it cannot tell), yet the capture holds no
# marker, and the client, which retries after its 2 s handshake timeout
# (through the proxy, or to the address the server advertised, which the
# proxy does not see), receives the stream exactly.
# Usage: attack_steal_flowpath.sh MCAT ATTACKER
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT ATTACKER -- "$@"
tb_require_root ss

SIZE=$((32 * 1024 * 1024))
MARKER=PLAINTEXT-MARKER-4242
PROXY=10.200.1.1:7000

tb_topology_client_router_server 40mbit
yes "$MARKER" | head -c "$SIZE" >"$TEST_TMP/down.bin" || true
tb_start_listener 120 --send-only <"$TEST_TMP/down.bin" >/dev/null
tb_spawn "$TB_RTR" 120 "$ATTACKER" steal-proxy "$PROXY" "$TB_SRV_ADDR:7000" "$TEST_TMP/capture.bin" \
  --replay-from 10.200.6.1 </dev/null >"$TEST_TMP/proxy.out" 2>"$TEST_TMP/proxy.log"
tb_wait_for_listen "$TB_RTR" 7000 10 || test_fail "the proxy did not listen"

tb_spawn "$TB_CLI" 120 "$MCAT" -v --recv-only -w 2s "${PROXY%:*}" "${PROXY#*:}" </dev/null \
  >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
TB_CLIENT=$TB_PID
test_wait_for_line "$TEST_TMP/cli.log" 'connected to ' 10 || test_fail "the client did not connect through the proxy"
test_say "client connected through the proxy at $PROXY"
tb_wait_for_download $((SIZE / 4))
kill -USR1 "$(test_child_pid "$TB_CLIENT")"
test_say "SIGUSR1: the client migrates"
test_wait_for_line "$TEST_TMP/proxy.out" 'holding MIGRATE' 10 || test_fail "the proxy saw no MIGRATE"
test_say "proxy: $(grep -m1 'holding MIGRATE' "$TEST_TMP/proxy.out")"
tb_wait_for_migration 1

grep -E 'MIGRATE conn=' "$TEST_TMP/srv.log" | sed 's/.*transport [a-z]*: /  server: /' || true
test_expect_exit "$TB_CLIENT" client
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "server -> client"
test_wait_for_line "$TEST_TMP/proxy.out" 'captured [0-9]+ bytes' 40 || test_fail "the replay never ended"
sed 's/^/  /' "$TEST_TMP/proxy.out"
test_expect_grep "$TEST_TMP/proxy.out" 'replay answered ok' "the server accepting the replayed MIGRATE"
captured=$(test_file_size "$TEST_TMP/capture.bin")
markers=$(grep -c "$MARKER" "$TEST_TMP/capture.bin" || true)
test_say "capture: $captured bytes, $markers marker line(s) (the stream holds $((SIZE / (${#MARKER} + 1))))"
((captured > 0)) || test_fail "the capture is empty: the test proves nothing"
((markers == 0)) || test_fail "the thief read $markers marker lines of plaintext"
test_say "PASS"
