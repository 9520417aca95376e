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

tb_start_transfer "$SIZE" "$SIZE" 40mbit
PORT=$TB_PORT
client=$TB_CLIENT

# 1. Reset: kill the client's flowpath socket.
tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 5)) 60 "$client" || tb_fail "transfer did not start"
ip netns exec "$TB_CLI" ss -K dst "$TB_SRV_ADDR" dport = "$PORT" >/dev/null 2>&1
tb_say "killed the client's flowpath socket (ss -K)"
tb_wait_for_count "$TB_TMP/cli.log" 'migrated conn=.*cause=path-failure' 1 20 || tb_fail "no migration after the reset"
tb_say "  resumed: $(tb_last_migration)"

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
tb_say "  resumed: $(tb_last_migration)"

tb_expect_transfer_done
causes=$(jq -r '[.migrations[].cause] | join(",")' "$TB_TMP/cli.json")
[[ $causes == "path-failure,path-failure" ]] || tb_fail "client stats list migrations '$causes', expected two path-failure"
tb_say "PASS"
