#!/usr/bin/env bash
# Simultaneous mobility (paper §III-B3, §IV-A3 compressed to seconds): in the
# middle of a transfer both ends lose their addresses at once, so no path is
# left between them and the server's RECONNECT goes to the client's old
# address. The client learns the server's new address from its watch on the
# name (or its periodic retry, rho) and migrates. Done twice; both streams
# must arrive intact, and the client must report both migrations.
# Usage: names_both_move.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq

SIZE=$((16 * 1024 * 1024))
tb_topology_client_router_server 60mbit
tb_start_names "$MNAMED"
tb_start_named_transfer "$SIZE" --retry-interval 1s
test_say "transfer started: $((SIZE >> 20)) MiB each way at 60 Mbit/s"

# (client address, gateway, server address, gateway) of each move
moves=("10.200.3.2/24 10.200.3.1 10.200.7.2/24 10.200.7.1" "10.200.4.2/24 10.200.4.1 10.200.8.2/24 10.200.8.1")
for ((move = 1; move <= ${#moves[@]}; move++)); do
  read -r cli_new cli_gw srv_new srv_gw <<<"${moves[move - 1]}"
  tb_wait_for_download $((SIZE * move / 3))
  # Both addresses go first, then both new ones come: no path in between.
  tb_drop_addresses "$TB_CLI" "$TB_CLI_DEV"
  tb_drop_addresses "$TB_SRV" "$TB_SRV_DEV"
  moved_at=$(test_now_us)
  tb_move_server "$srv_new" "$srv_gw"
  tb_move_client "$cli_new" "$cli_gw"
  test_say "move $move: client -> ${cli_new%/*}, server -> ${srv_new%/*}"
  tb_wait_for_migration "$move"
  test_say "  $((($(test_now_us) - moved_at) / 1000)) ms after the move"
done

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 2 simultaneous
test_say "recovery times (ms): $(jq -r '[.migrations[].recovery_ms | tostring] | join(", ")' "$TEST_TMP/cli.json")"
test_say "PASS"
