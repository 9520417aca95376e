#!/usr/bin/env bash
# Simultaneous mobility (paper §III-B3, §IV-A3 compressed to seconds): in the
# middle of a transfer both ends lose their addresses at once, so no path is
# left between them and the server's RECONNECT goes to the client's old
# address. The client learns the server's new address from its watch on the
# name (or its periodic retry, rho) and migrates. Done twice; both streams
# must arrive intact, and the client must report both migrations.
# Usage: names_both_move.sh MCAT MNAMED
set -euo pipefail
MCAT=${1:?usage: names_both_move.sh MCAT MNAMED}
MNAMED=${2:?usage: names_both_move.sh MCAT MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"
tb_require_exe "$MNAMED"

SIZE=$((16 * 1024 * 1024))
tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 60mbit
tb_rate_limit "$TB_RTR" "$TB_RTR_SRV_DEV" 60mbit
tb_start_names "$MNAMED"
tb_random_file "$TB_TMP/up.bin" "$SIZE"
tb_random_file "$TB_TMP/down.bin" "$SIZE"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TB_TMP/srv.key" -p 7000 \
  --stats "$TB_TMP/srv.json" <"$TB_TMP/down.bin" >"$TB_TMP/srv.out" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" 'registered srv at 10.200.2.2:7000' 10 || tb_fail "the server did not register"
tb_spawn "$TB_CLI" 120 "$MCAT" -v --retry-interval 1s --names "$TB_NAMES" --stats "$TB_TMP/cli.json" srv \
  <"$TB_TMP/up.bin" >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
client=$TB_PID
tb_wait_for_line "$TB_TMP/cli.log" 'connected to 10.200.2.2:7000' 10 || tb_fail "the client did not connect"
tb_say "transfer started: $((SIZE >> 20)) MiB each way at 60 Mbit/s"

# (client address, gateway, server address, gateway) of each move
moves=("10.200.3.2/24 10.200.3.1 10.200.7.2/24 10.200.7.1" "10.200.4.2/24 10.200.4.1 10.200.8.2/24 10.200.8.1")
for ((move = 1; move <= ${#moves[@]}; move++)); do
  read -r cli_new cli_gw srv_new srv_gw <<<"${moves[move - 1]}"
  status=0
  tb_wait_for_size "$TB_TMP/cli.out" $((SIZE * move / 3)) 60 "$client" || status=$?
  ((status == 0)) || tb_fail "before move $move the client received only $(tb_file_size "$TB_TMP/cli.out") bytes"
  # Both addresses go first, then both new ones come: no path in between.
  ip -n "$TB_CLI" -4 -o addr show dev "$TB_CLI_DEV" scope global | awk '{ print $4 }' |
    while read -r a; do ip -n "$TB_CLI" addr del "$a" dev "$TB_CLI_DEV"; done
  ip -n "$TB_SRV" -4 -o addr show dev "$TB_SRV_DEV" scope global | awk '{ print $4 }' |
    while read -r a; do ip -n "$TB_SRV" addr del "$a" dev "$TB_SRV_DEV"; done
  moved_at=$(tb_now_us)
  tb_move_server "$srv_new" "$srv_gw"
  tb_move_client "$cli_new" "$cli_gw"
  tb_say "move $move: client -> ${cli_new%/*}, server -> ${srv_new%/*}"
  tb_wait_for_count "$TB_TMP/cli.log" 'migrated conn=' "$move" 30 || tb_fail "no migration $move logged"
  tb_say "  resumed $((($(tb_now_us) - moved_at) / 1000)) ms after the move: $(tb_last_migration)"
done

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/up.bin" "$TB_TMP/srv.out" "client -> server"
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
jq -e '(.migrations | length) == 2 and all(.migrations[]; .cause == "simultaneous")' "$TB_TMP/cli.json" >/dev/null ||
  tb_fail "expected two simultaneous migrations, got $(jq -c .migrations "$TB_TMP/cli.json")"
tb_say "recovery times (ms): $(jq -r '[.migrations[].recovery_ms | tostring] | join(", ")' "$TB_TMP/cli.json")"
tb_say "PASS"
