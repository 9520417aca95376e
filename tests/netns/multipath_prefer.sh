#!/usr/bin/env bash
# --prefer IFACE (MPTCP's backup subflows): the client has two paths and
# prefers eth1, so its flowpath from eth0 is a backup that both ends keep
# idle, although eth0 is the faster path and the server schedules with
# `default`. At half of a download eth1 loses its address: the backup
# carries the rest, with no migration, and the bytes arrive intact.
# Usage: multipath_prefer.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq

SIZE=$((12 * 1024 * 1024))
tb_topology_two_paths 40mbit 20mbit
test_random_file "$TEST_TMP/down.bin" "$SIZE"

# Bytes the router sends into each of the client's links (frames and
# headers included) say which path carries the download.
tx_bytes() { ip -n "$TB_RTR" -j -s link show "$1" | jq '.[0].stats64.tx.bytes'; }
start0=$(tx_bytes c0)
start1=$(tx_bytes c1)

# The server's data comes a second after the start, so that both flowpaths
# are up before the first byte is scheduled.
tb_start_download 1 --scheduler default -- --paths all --prefer eth1
test_wait_for_line "$TEST_TMP/cli.log" 'path=1 added from 10.210.2.2' 10 || test_fail "no flowpath from eth1"
join0=$(tx_bytes c0)
join1=$(tx_bytes c1)
test_say "both flowpaths up; download of $((SIZE >> 20)) MiB; eth0 (40 Mbit/s) is the backup, eth1 (20 Mbit/s) preferred"

tb_wait_for_download $((SIZE / 2))
ip -n "$TB_CLI" addr del 10.210.2.2/24 dev "$TB_CLI_DEV1"
lost0=$(tx_bytes c0)
lost1=$(tx_bytes c1)
eth0=$((lost0 - join0))
eth1=$((lost1 - join1))
test_say "eth1's address removed; since eth1 joined the router sent $eth1 bytes by eth1, $eth0 by eth0"
# Only the connection's ACKs and PINGs may go by eth0 (the scheduler
# hands the backup nothing while eth1 delivers).
((eth0 <= (eth0 + eth1) / 20)) || test_fail "the backup eth0 carried $eth0 bytes, the preferred eth1 $eth1"

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 0  # losing the preferred path is no migration
after0=$(($(tx_bytes c0) - lost0))
missing=$((SIZE - (lost0 - start0) - (lost1 - start1)))
test_say "after eth1 went, eth0 carried $after0 bytes; $missing were still to come"
# The links carry a little more than the payload (framing, headers).
((after0 >= missing)) || test_fail "eth0 carried only $after0 bytes after eth1 went, $missing were missing"
test_say "PASS"
