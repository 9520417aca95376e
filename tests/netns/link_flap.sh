#!/usr/bin/env bash
# The client's link goes down mid-transfer and comes back (a Wi-Fi drop):
# the client gives up its flowpath at once on the link-down event, and when
# the link and its default route are back it migrates (cause client-move).
# Both streams arrive intact.
# Usage: link_flap.sh MCAT
set -euo pipefail
MCAT=${1:?usage: link_flap.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"

SIZE=$((16 * 1024 * 1024))
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

tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 3)) 60 "$client" || tb_fail "transfer did not start"
ip -n "$TB_CLI" link set "$TB_CLI_DEV" down
tb_say "client link down"
tb_wait_for_line "$TB_TMP/cli.log" 'path=0 down: link' 10 || tb_fail "client did not give up its path on link down"
tb_say "client gave up its flowpath"
printf 'link set %s up\nroute replace default via 10.200.1.1 dev %s\n' "$TB_CLI_DEV" "$TB_CLI_DEV" |
  ip -n "$TB_CLI" -batch -
tb_say "client link up, default route back"
tb_wait_for_line "$TB_TMP/cli.log" 'migrated conn=.*cause=client-move' 20 || tb_fail "no migration after the link came back"
tb_say "  resumed: $(grep -E 'migrated conn=' "$TB_TMP/cli.log" | tail -n 1 | sed 's/.*migrated/migrated/')"

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/up.bin" "$TB_TMP/srv.out" "client -> server"
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
migrations=$(tb_migrations "$TB_TMP/cli.json")
((migrations == 1)) || tb_fail "client stats list $migrations migrations, expected 1"
tb_say "PASS"
