#!/usr/bin/env bash
# Connect-time mobility (paper §II): the client looks the server up by name
# and connects to the address it got, but the server has just left it (here
# the old address drops the SYNs, as a vanished host does). The server moves
# and re-registers; the client, which follows the name while it connects,
# gives up the attempt in flight and connects to the new address well before
# its -w deadline. Then a transfer both ways must arrive intact.
# Usage: names_connect_time.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq nft

SIZE=$((2 * 1024 * 1024))
tb_topology_client_router_server
tb_start_names "$MNAMED"
test_random_file "$TEST_TMP/up.bin" "$SIZE"
test_random_file "$TEST_TMP/down.bin" "$SIZE"

tb_start_named_server 60 --stats "$TEST_TMP/srv.json" <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out"

# The old address stops answering: connects to it hang, as to a host gone.
ip netns exec "$TB_SRV" nft -f - <<'NFT'
table inet blackhole {
  chain input {
    type filter hook input priority 0;
    ip daddr 10.200.2.2 tcp dport 7000 drop
  }
}
NFT
test_say "registered at 10.200.2.2:7000, which now drops connects"

tb_start_exchange_client 60 "$SIZE" -vv -w 30s --names "$TB_NAMES" srv
sleep 1
grep -q 'connected to' "$TEST_TMP/cli.log" && test_fail "the client connected to the old address"
test_running "$TB_CLIENT" || test_fail "the client gave up before the server moved"
test_say "client has looked srv up and is stuck connecting to the old address"

moved_at=$(test_now_us)
tb_move_server 10.200.6.2/24 10.200.6.1
test_wait_for_line "$TEST_TMP/cli.log" 'connected to 10.200.6.2:7000' 15 ||
  test_fail "the client did not connect to the server's new address"
connect_ms=$((($(test_now_us) - moved_at) / 1000))
grep -q 'connect to 10.200.2.2:7000 (name srv) failed: its address changed meanwhile' "$TEST_TMP/cli.log" ||
  test_fail "the client did not give up its attempt to the old address when the name changed"
test_say "client connected to the new address ${connect_ms} ms after the server moved (-w was 30 s)"

tb_expect_transfer_done
test_say "PASS"
