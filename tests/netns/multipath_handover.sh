#!/usr/bin/env bash
# Per-path mobility with two paths (paper §IV-C, Figs. 15/16): the client
# (--paths all) starts with only its first interface addressed. At a third of
# a 24 MiB download its second interface gets an address: a second flowpath
# joins (ADD_PATH) and carries data. At two thirds the first interface loses
# its address: only that flowpath closes, and the download finishes over the
# second without any migration. The bytes must arrive intact.
# Usage: multipath_handover.sh MCAT
set -euo pipefail
MCAT=${1:?usage: multipath_handover.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"

SIZE=$((24 * 1024 * 1024))
tb_topology_two_paths 40mbit 20mbit
ip -n "$TB_CLI" addr flush dev "$TB_CLI_DEV1"  # the second interface starts without an address
tb_random_file "$TB_TMP/down.bin" "$SIZE"

tb_spawn "$TB_SRV" 90 "$MCAT" -l -v -p 7000 <"$TB_TMP/down.bin" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_listen "$TB_SRV" 7000 10 || tb_fail "the server did not listen"
tb_spawn "$TB_CLI" 90 "$MCAT" -v --paths all --stats "$TB_TMP/cli.json" "$TB_SRV_ADDR" 7000 \
  </dev/null >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
client=$TB_PID
tb_wait_for_line "$TB_TMP/cli.log" 'connected to' 10 || tb_fail "the client did not connect"
tb_say "download of $((SIZE >> 20)) MiB over eth0 (40 Mbit/s); eth1 (20 Mbit/s) has no address"

status=0
tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 3)) 60 "$client" || status=$?
((status == 0)) || tb_fail "the download stalled at $(tb_file_size "$TB_TMP/cli.out") bytes"
printf 'addr add 10.210.2.2/24 dev %s\nroute replace default via 10.210.2.1 dev %s metric 200\n' \
  "$TB_CLI_DEV1" "$TB_CLI_DEV1" | ip -n "$TB_CLI" -batch -
tb_wait_for_line "$TB_TMP/cli.log" 'path=1 added from 10.210.2.2' 10 || tb_fail "no flowpath joined from eth1"
tb_say "eth1 addressed at $(tb_file_size "$TB_TMP/cli.out") bytes: $(grep -m1 'path=1 added' "$TB_TMP/cli.log" | sed 's/.*info: //')"

tb_wait_for_size "$TB_TMP/cli.out" $((SIZE * 2 / 3)) 60 "$client" || tb_fail "the download stalled after the second path joined"
ip -n "$TB_CLI" addr del 10.210.1.2/24 dev "$TB_CLI_DEV"
tb_say "eth0's address removed at $(tb_file_size "$TB_TMP/cli.out") bytes"
tb_wait_for_line "$TB_TMP/cli.log" 'path=0 down: local address 10.210.1.2 removed' 10 || tb_fail "path 0 was not closed"

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
jq -e '(.migrations | length) == 0' "$TB_TMP/cli.json" >/dev/null ||
  tb_fail "losing one of two paths must not be a migration: $(jq -c .migrations "$TB_TMP/cli.json")"
path1=$(jq '[.paths[] | select(.path == 1) | .bytes_received] | add // 0' "$TB_TMP/cli.json")
path0=$(jq '[.paths[] | select(.path == 0) | .bytes_received] | add // 0' "$TB_TMP/cli.json")
((path1 > 0)) || tb_fail "the added path carried nothing: $(jq -c .paths "$TB_TMP/cli.json")"
((path0 + path1 >= SIZE)) || tb_fail "the paths account for $((path0 + path1)) bytes of $SIZE"
tb_say "bytes by path: path 0 $path0, path 1 $path1 (no migration: the connection never lost its last path)"
tb_say "PASS"
