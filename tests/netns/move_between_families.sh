#!/usr/bin/env bash
# A phone that goes from an IPv4 Wi-Fi to an IPv6-only cellular network and
# back: 24 MiB each way through an 80 Mbit/s router while the client moves
# 10.200.1.2 (IPv4 only) -> fd00:3::2 (IPv6 only) -> 10.200.4.2 (IPv4 only).
# The server listens on both families ("::") and has 10.200.2.2 and
# fd00:2::2; the client connects to the IPv4 one and learns the other from
# the server's ADDRESSES frame. Both streams must arrive intact, both ends
# exit 0, and --stats must list both moves with their recovery times.
# Usage: move_between_families.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq ss

SIZE=$((24 * 1024 * 1024))
TB_PORT=7000

# The usual line cli -- rtr -- srv, with IPv6 beside IPv4 on the router and
# the server. Addresses are added without duplicate address detection
# (nodad): a phone's new address would wait a second or two for it, which
# says nothing about msocket.
tb_topology_client_router_server 80mbit
ip netns exec "$TB_RTR" sysctl -qw net.ipv6.conf.all.forwarding=1
printf 'addr add fd00:1::1/64 dev %s nodad\naddr add fd00:3::1/64 dev %s nodad\naddr add fd00:2::1/64 dev %s nodad\n' \
  "$TB_RTR_CLI_DEV" "$TB_RTR_CLI_DEV" "$TB_RTR_SRV_DEV" | ip -n "$TB_RTR" -batch -
printf 'addr add fd00:2::2/64 dev %s nodad\nroute add default via fd00:2::1 dev %s\n' "$TB_SRV_DEV" "$TB_SRV_DEV" |
  ip -n "$TB_SRV" -batch -

# move_to ADDRESS/PREFIX GATEWAY: the client's global addresses of both
# families go, then ADDRESS and a default route via GATEWAY come, in one
# ip(8) batch, as a phone changing network.
move_to() {
  local old new=$1 gateway=$2 address
  old=$(ip -n "$TB_CLI" -o addr show dev "$TB_CLI_DEV" scope global | awk '{ print $4 }' | paste -sd' ')
  {
    for address in $old; do echo "addr del $address dev $TB_CLI_DEV"; done
    echo "addr add $new dev $TB_CLI_DEV nodad"
    echo "route replace default via $gateway dev $TB_CLI_DEV"
  } | ip -n "$TB_CLI" -batch -
  test_say "client moved ${old:-nothing} -> $new"
}

test_random_file "$TEST_TMP/up.bin" "$SIZE"
test_random_file "$TEST_TMP/down.bin" "$SIZE"
tb_spawn "$TB_SRV" 120 "$MCAT" -l -v --stats "$TEST_TMP/srv.json" :: "$TB_PORT" \
  <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out" 2>"$TEST_TMP/srv.log"
TB_SERVER=$TB_PID
test_wait_for_line "$TEST_TMP/srv.log" "listening on .*:$TB_PORT" 10 || test_fail "server never said 'listening on'"
# Both ways at once: under ncat's end-of-file rules the listener would end
# the connection at the client's end of file, before its own 24 MiB were out.
tb_start_exchange_client 120 "$SIZE" -vv "$TB_SRV_ADDR" "$TB_PORT"
test_wait_for_line "$TEST_TMP/cli.log" 'connected to ' 10 || test_fail "client never said 'connected to'"
test_wait_for_line "$TEST_TMP/cli.log" 'peer offers flowpaths at .*fd00:2::2' 10 ||
  test_fail "the server did not offer its IPv6 address"
test_say "transfer started over IPv4: $((SIZE >> 20)) MiB each way at 80 Mbit/s; the server offers fd00:2::2"

tb_wait_for_download $((SIZE / 3))
move_to fd00:3::2/64 fd00:3::1
tb_wait_for_migration 1 client-move
grep -q 'migrated conn=.*local=\[fd00:3::2\]' "$TEST_TMP/cli.log" || test_fail "the first move did not go over IPv6"

tb_wait_for_download $((SIZE * 2 / 3))
move_to 10.200.4.2/24 10.200.4.1
tb_wait_for_migration 2 client-move
tb_last_migration | grep -q 'local=10.200.4.2' || test_fail "the second move did not go back to IPv4"

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 2 client-move
test_say "recovery times (ms): $(jq -r '[.migrations[].recovery_ms | tostring] | join(", ")' "$TEST_TMP/cli.json")"
test_say "PASS"
