#!/usr/bin/env bash
# Per-path mobility with two paths (paper §IV-C, Figs. 15/16): the client
# (--paths all) starts with only its first interface addressed. At a third of
# a 24 MiB download its second interface gets an address: a second flowpath
# joins (ADD_PATH) and carries data. At two thirds the first interface loses
# its address: only that flowpath closes, and the download finishes over the
# second without any migration. The bytes must arrive intact.
# Usage: multipath_handover.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq

SIZE=$((24 * 1024 * 1024))
tb_topology_two_paths 40mbit 20mbit
ip -n "$TB_CLI" addr flush dev "$TB_CLI_DEV1"  # the second interface starts without an address
test_random_file "$TEST_TMP/down.bin" "$SIZE"

tb_start_download 0 -- --paths all
test_wait_for_line "$TEST_TMP/cli.log" 'connected to' 10 || test_fail "the client did not connect"
test_say "download of $((SIZE >> 20)) MiB over eth0 (40 Mbit/s); eth1 (20 Mbit/s) has no address"

tb_wait_for_download $((SIZE / 3))
printf 'addr add 10.210.2.2/24 dev %s\nroute replace default via 10.210.2.1 dev %s metric 200\n' \
  "$TB_CLI_DEV1" "$TB_CLI_DEV1" | ip -n "$TB_CLI" -batch -
test_wait_for_line "$TEST_TMP/cli.log" 'path=1 added from 10.210.2.2' 10 || test_fail "no flowpath joined from eth1"
test_say "eth1 addressed at $(test_file_size "$TEST_TMP/cli.out") bytes: $(grep -m1 'path=1 added' "$TEST_TMP/cli.log" | sed 's/.*info: //')"

tb_wait_for_download $((SIZE * 2 / 3))
ip -n "$TB_CLI" addr del 10.210.1.2/24 dev "$TB_CLI_DEV"
test_say "eth0's address removed at $(test_file_size "$TEST_TMP/cli.out") bytes"
test_wait_for_line "$TEST_TMP/cli.log" 'path=0 down: local address 10.210.1.2 removed' 10 || test_fail "path 0 was not closed"

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 0  # losing one of two paths is no migration
path1=$(tb_path_bytes "$TEST_TMP/cli.json" 1)
path0=$(tb_path_bytes "$TEST_TMP/cli.json" 0)
((path1 > 0)) || test_fail "the added path carried nothing: $(jq -c .paths "$TEST_TMP/cli.json")"
((path0 + path1 >= SIZE)) || test_fail "the paths account for $((path0 + path1)) bytes of $SIZE"
test_say "bytes by path: path 0 $path0, path 1 $path1 (no migration: the connection never lost its last path)"
test_say "PASS"
