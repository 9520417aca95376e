#!/usr/bin/env bash
# A flowpath that fails without any address change is replaced: first the
# client's TCP socket is killed (ss -K, as a middlebox reset would), then the
# path goes silent (the router drops everything for longer than the keepalive
# timeout). Both times the client migrates with cause path-failure, and both
# streams arrive intact.
# Usage: path_failure.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq ss nft

SIZE=$((24 * 1024 * 1024))

tb_start_transfer "$SIZE" "$SIZE" 40mbit

# 1. Reset: kill the client's flowpath socket.
tb_wait_for_download $((SIZE / 5))
ip netns exec "$TB_CLI" ss -K dst "$TB_SRV_ADDR" dport = "$TB_PORT" >/dev/null 2>&1
test_say "killed the client's flowpath socket (ss -K)"
tb_wait_for_migration 1 path-failure

# 2. Silence: drop all forwarded packets for longer than the keepalive timeout.
tb_wait_for_download $((SIZE / 2))
ip netns exec "$TB_RTR" nft add table inet blackhole
ip netns exec "$TB_RTR" nft add chain inet blackhole forward '{ type filter hook forward priority 0; policy drop; }'
test_say "router drops everything"
test_wait_for_count "$TEST_TMP/cli.log" 'path=0 down' 2 20 || test_fail "client never noticed the silent path"
test_say "client noticed the dead path"
ip netns exec "$TB_RTR" nft delete table inet blackhole
test_say "router forwards again"
tb_wait_for_migration 2 path-failure

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 2 path-failure
test_say "PASS"
