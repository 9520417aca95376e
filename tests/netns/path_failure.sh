#!/usr/bin/env bash
# A flowpath that fails without any address change is replaced: first the
# client's TCP socket is killed (ss -K, as a middlebox reset would), then the
# path goes silent (the router drops everything for longer than the keepalive
# timeout). Both times the client migrates with cause path-failure, and both
# streams arrive intact.
# Usage: path_failure.sh MCAT
set -euo pipefail
MCAT=${1:?usage: path_failure.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq ss nft
tb_require_exe "$MCAT"

SIZE=$((24 * 1024 * 1024))
PORT=7000

tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 40mbit
tb_rate_limit "$TB_RTR" "$TB_RTR_SRV_DEV" 40mbit
tb_random_file "$TB_TMP/up.bin" "$SIZE"
tb_random_file "$TB_TMP/down.bin" "$SIZE"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -v -p "$PORT" <"$TB_TMP/down.bin" >"$TB_TMP/srv.out" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" "listening on .*:$PORT" 10 || tb_fail "server never said 'listening on'"
tb_spawn "$TB_CLI" 120 "$MCAT" -v --stats "$TB_TMP/cli.json" "$TB_SRV_ADDR" "$PORT" \
  <"$TB_TMP/up.bin" >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
client=$TB_PID
tb_wait_for_line "$TB_TMP/cli.log" 'connected to ' 10 || tb_fail "client never said 'connected to'"

# 1. Reset: kill the client's flowpath socket.
tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 5)) 60 "$client" || tb_fail "transfer did not start"
ip netns exec "$TB_CLI" ss -K dst "$TB_SRV_ADDR" dport = "$PORT" >/dev/null 2>&1
tb_say "killed the client's flowpath socket (ss -K)"
tb_wait_for_count "$TB_TMP/cli.log" 'migrated conn=.*cause=path-failure' 1 20 || tb_fail "no migration after the reset"
tb_say "  resumed: $(grep -E 'migrated conn=' "$TB_TMP/cli.log" | tail -n 1 | sed 's/.*migrated/migrated/')"

# 2. Silence: drop all forwarded packets for longer than the keepalive timeout.
tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 2)) 60 "$client" || tb_fail "transfer stalled"
ip netns exec "$TB_RTR" nft add table inet blackhole
ip netns exec "$TB_RTR" nft add chain inet blackhole forward '{ type filter hook forward priority 0; policy drop; }'
tb_say "router drops everything"
tb_wait_for_count "$TB_TMP/cli.log" 'path=0 down' 2 20 || tb_fail "client never noticed the silent path"
tb_say "client noticed the dead path"
ip netns exec "$TB_RTR" nft delete table inet blackhole
tb_say "router forwards again"
tb_wait_for_count "$TB_TMP/cli.log" 'migrated conn=.*cause=path-failure' 2 30 || tb_fail "no migration after the silence"
tb_say "  resumed: $(grep -E 'migrated conn=' "$TB_TMP/cli.log" | tail -n 1 | sed 's/.*migrated/migrated/')"

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/up.bin" "$TB_TMP/srv.out" "client -> server"
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
causes=$(jq -r '[.migrations[].cause] | join(",")' "$TB_TMP/cli.json")
[[ $causes == "path-failure,path-failure" ]] || tb_fail "client stats list migrations '$causes', expected two path-failure"
tb_say "PASS"
