#!/usr/bin/env bash
# A server listening on "::" (which hears both families) registers its
# addresses of both families, so that a client on an IPv6-only network can
# reach it by name as well as one on an IPv4 network. The server has
# 10.200.2.2 and fd00:2::2; the client connects by name from an IPv6-only
# network and sends a file, which must arrive intact (the server is
# --recv-only, as a receiving ncat would be: its empty input would otherwise
# end the client at once).
# Usage: names_both_families.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq

tb_topology_client_router_server 80mbit
ip netns exec "$TB_RTR" sysctl -qw net.ipv6.conf.all.forwarding=1
printf 'addr add fd00:1::1/64 dev %s nodad\naddr add fd00:2::1/64 dev %s nodad\n' \
  "$TB_RTR_CLI_DEV" "$TB_RTR_SRV_DEV" | ip -n "$TB_RTR" -batch -
printf 'addr add fd00:2::2/64 dev %s nodad\nroute add default via fd00:2::1 dev %s\n' "$TB_SRV_DEV" "$TB_SRV_DEV" |
  ip -n "$TB_SRV" -batch -
# The client is on an IPv6-only network.
tb_drop_addresses "$TB_CLI" "$TB_CLI_DEV"
printf 'addr add fd00:1::2/64 dev %s nodad\nroute add default via fd00:1::1 dev %s\n' "$TB_CLI_DEV" "$TB_CLI_DEV" |
  ip -n "$TB_CLI" -batch -

tb_start_names "$MNAMED"
# The name service listens on the router's IPv4 address only; the client
# reaches it through a relay of its own on the router's IPv6 address.
tb_spawn "$TB_RTR" 60 socat TCP6-LISTEN:7701,bind=[fd00:1::1],reuseaddr,fork TCP4:10.200.2.1:7700

test_random_file "$TEST_TMP/up.bin" $((4 * 1024 * 1024))
tb_spawn "$TB_SRV" 60 "$MCAT" -l -v --recv-only --names "$TB_NAMES" --name srv --key "$TEST_TMP/srv.key" :: 7000 \
  </dev/null >"$TEST_TMP/srv.out" 2>"$TEST_TMP/srv.log"
TB_SERVER=$TB_PID
test_wait_for_line "$TEST_TMP/srv.log" 'registered srv at ' 10 || test_fail "the server did not register"
record=$(tb_lookup "$MNAMED" srv)
test_say "record: $record"
jq -e '.addresses | index("10.200.2.2:7000")' <<<"$record" >/dev/null || test_fail "no IPv4 address in the record"
jq -e '.addresses | index("[fd00:2::2]:7000")' <<<"$record" >/dev/null || test_fail "no IPv6 address in the record"

tb_wait_for_listen "$TB_RTR" 7701 10 || test_fail "the relay to the name service did not start"
ip netns exec "$TB_CLI" timeout 30 "$MCAT" -v --names 'http://[fd00:1::1]:7701' srv <"$TEST_TMP/up.bin" \
  >/dev/null 2>"$TEST_TMP/cli.log" || test_fail "the client failed: $(tail -n 5 "$TEST_TMP/cli.log")"
grep -q 'connected to \[fd00:2::2\]:7000' "$TEST_TMP/cli.log" || test_fail "the client did not connect over IPv6"
test_expect_exit "$TB_SERVER" server
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "IPv6-only client to the server by name"
test_say "PASS"
