#!/usr/bin/env bash
# --prefer IFACE (MPTCP's backup subflows): the client has two paths and
# prefers eth1, so its flowpath from eth0 is a backup that both ends keep
# idle, although eth0 is the faster path and the server schedules with
# `default`. At half of a download eth1 loses its address: the backup
# carries the rest, with no migration, and the bytes arrive intact.
# Usage: multipath_prefer.sh MCAT
set -euo pipefail
MCAT=${1:?usage: multipath_prefer.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"

SIZE=$((12 * 1024 * 1024))
tb_topology_two_paths 40mbit 20mbit
tb_random_file "$TB_TMP/down.bin" "$SIZE"

# Bytes the router sends into each of the client's links (frames and
# headers included) say which path carries the download.
tx_bytes() { ip -n "$TB_RTR" -j -s link show "$1" | jq '.[0].stats64.tx.bytes'; }
start0=$(tx_bytes c0)
start1=$(tx_bytes c1)

# The server's data comes a second after the start, so that both flowpaths
# are up before the first byte is scheduled.
tb_spawn "$TB_SRV" 90 "$MCAT" -l -v -p 7000 --scheduler default < <(sleep 1; cat "$TB_TMP/down.bin") \
  2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_listen "$TB_SRV" 7000 10 || tb_fail "the server did not listen"
tb_spawn "$TB_CLI" 90 "$MCAT" -v --paths all --prefer eth1 --stats "$TB_TMP/cli.json" "$TB_SRV_ADDR" 7000 \
  </dev/null >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
client=$TB_PID
tb_wait_for_line "$TB_TMP/cli.log" 'path=1 added from 10.210.2.2' 10 || tb_fail "no flowpath from eth1"
join0=$(tx_bytes c0)
join1=$(tx_bytes c1)
tb_say "both flowpaths up; download of $((SIZE >> 20)) MiB; eth0 (40 Mbit/s) is the backup, eth1 (20 Mbit/s) preferred"

tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 2)) 60 "$client" || tb_fail "the download stalled at $(tb_file_size "$TB_TMP/cli.out") bytes"
ip -n "$TB_CLI" addr del 10.210.2.2/24 dev "$TB_CLI_DEV1"
lost0=$(tx_bytes c0)
lost1=$(tx_bytes c1)
eth0=$((lost0 - join0))
eth1=$((lost1 - join1))
tb_say "eth1's address removed; since eth1 joined the router sent $eth1 bytes by eth1, $eth0 by eth0"
# Only the connection's ACKs and PINGs may go by eth0 (the scheduler
# hands the backup nothing while eth1 delivers).
((eth0 <= (eth0 + eth1) / 20)) || tb_fail "the backup eth0 carried $eth0 bytes, the preferred eth1 $eth1"

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
jq -e '(.migrations | length) == 0' "$TB_TMP/cli.json" >/dev/null ||
  tb_fail "losing the preferred path must not be a migration: $(jq -c .migrations "$TB_TMP/cli.json")"
after0=$(($(tx_bytes c0) - lost0))
missing=$((SIZE - (lost0 - start0) - (lost1 - start1)))
tb_say "after eth1 went, eth0 carried $after0 bytes; $missing were still to come"
# The links carry a little more than the payload (framing, headers).
((after0 >= missing)) || tb_fail "eth0 carried only $after0 bytes after eth1 went, $missing were missing"
tb_say "PASS"
