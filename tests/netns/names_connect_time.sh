#!/usr/bin/env bash
# Connect-time mobility (paper §II): the client looks the server up by name
# and connects to the address it got, but the server has just left it (here
# the old address drops the SYNs, as a vanished host does). The server moves
# and re-registers; the client, which follows the name while it connects,
# gives up the attempt in flight and connects to the new address well before
# its -w deadline. Then a transfer both ways must arrive intact.
# Usage: names_connect_time.sh MCAT MNAMED
set -euo pipefail
MCAT=${1:?usage: names_connect_time.sh MCAT MNAMED}
MNAMED=${2:?usage: names_connect_time.sh MCAT MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq nft
tb_require_exe "$MCAT"
tb_require_exe "$MNAMED"

SIZE=$((2 * 1024 * 1024))
tb_topology_client_router_server
tb_start_names "$MNAMED"
tb_random_file "$TB_TMP/up.bin" "$SIZE"
tb_random_file "$TB_TMP/down.bin" "$SIZE"

tb_spawn "$TB_SRV" 60 "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TB_TMP/srv.key" -p 7000 \
  --stats "$TB_TMP/srv.json" <"$TB_TMP/down.bin" >"$TB_TMP/srv.out" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" 'registered srv at 10.200.2.2:7000' 10 || tb_fail "the server did not register"

# The old address stops answering: connects to it hang, as to a host gone.
ip netns exec "$TB_SRV" nft -f - <<'NFT'
table inet blackhole {
  chain input {
    type filter hook input priority 0;
    ip daddr 10.200.2.2 tcp dport 7000 drop
  }
}
NFT
tb_say "registered at 10.200.2.2:7000, which now drops connects"

tb_spawn "$TB_CLI" 60 "$MCAT" -vv -w 30s --names "$TB_NAMES" --stats "$TB_TMP/cli.json" srv \
  <"$TB_TMP/up.bin" >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
client=$TB_PID
sleep 1
grep -q 'connected to' "$TB_TMP/cli.log" && tb_fail "the client connected to the old address"
tb_running "$client" || tb_fail "the client gave up before the server moved"
tb_say "client has looked srv up and is stuck connecting to the old address"

moved_at=$(tb_now_us)
tb_move_server 10.200.6.2/24 10.200.6.1
tb_wait_for_line "$TB_TMP/cli.log" 'connected to 10.200.6.2:7000' 15 ||
  tb_fail "the client did not connect to the server's new address"
connect_ms=$((($(tb_now_us) - moved_at) / 1000))
grep -q 'connect to 10.200.2.2:7000 (name srv) failed: its address changed meanwhile' "$TB_TMP/cli.log" ||
  tb_fail "the client did not give up its attempt to the old address when the name changed"
tb_say "client connected to the new address ${connect_ms} ms after the server moved (-w was 30 s)"

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/up.bin" "$TB_TMP/srv.out" "client -> server"
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
tb_say "PASS"
