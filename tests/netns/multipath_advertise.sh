#!/usr/bin/env bash
# Address advertisement (docs/protocol.md §2.8, MPTCP's ADD_ADDR): the
# client's second interface is on a network of its own, a direct link to
# the server's second interface, from where the address the client connected
# to cannot be reached:
#   cli eth0 10.200.1.2 -- router -- srv eth0 10.200.2.2   (40 Mbit/s)
#   cli eth1 10.220.1.2 ----------- srv eth1 10.220.1.1    (20 Mbit/s, no router)
# The client connects to 10.200.2.2 with -s for both interfaces. The server
# (listening on every address) advertises 10.220.1.1, so the second
# flowpath goes there from eth1, carries data, and the bytes arrive intact.
# Usage: multipath_advertise.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq

SIZE=$((12 * 1024 * 1024))
tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 40mbit
ip -n "$TB_CLI" link add eth1 type veth peer name eth1 netns "$TB_SRV"
ip -n "$TB_CLI" addr add 10.220.1.2/24 dev eth1
ip -n "$TB_SRV" addr add 10.220.1.1/24 dev eth1
ip -n "$TB_CLI" link set eth1 up
ip -n "$TB_SRV" link set eth1 up
tb_rate_limit "$TB_SRV" eth1 20mbit
# As two real networks: the server answers ARP on a link only for that
# link's address (Linux answers for any of its addresses by default, and a
# flowpath bound to eth1 would reach 10.200.2.2 over the direct link).
ip netns exec "$TB_SRV" sysctl -qw net.ipv4.conf.all.arp_ignore=1
test_random_file "$TEST_TMP/down.bin" "$SIZE"

tb_start_download 0.5 -- -s "$TB_CLI_ADDR" -s 10.220.1.2
test_wait_for_line "$TEST_TMP/cli.log" 'peer offers flowpaths at .*10.220.1.1' 10 ||
  test_fail "the server's addresses were not advertised"
test_wait_for_line "$TEST_TMP/cli.log" 'path=1 added from 10.220.1.2:[0-9]* to 10.220.1.1:7000' 10 ||
  test_fail "no flowpath from eth1 to the server's address on its network"
test_say "$(grep -m1 'path=1 added' "$TEST_TMP/cli.log" | sed 's/.*info: //')"

tb_expect_transfer_done
path1=$(tb_path_bytes "$TEST_TMP/cli.json" 1)
path0=$(tb_path_bytes "$TEST_TMP/cli.json" 0)
test_say "bytes by path: path 0 (via the router) $path0, path 1 (direct link) $path1"
((path1 >= SIZE / 10)) || test_fail "the advertised path carried only $path1 bytes: $(jq -c .paths "$TEST_TMP/cli.json")"
test_say "PASS"
