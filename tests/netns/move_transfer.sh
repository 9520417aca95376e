#!/usr/bin/env bash
# 64 MiB each way at once through an 80 Mbit/s router while the client moves
# three times (10.200.1.2 -> .3.2 -> .4.2 -> .5.2, delete-then-add). Both
# byte streams must arrive intact, both ends exit 0, and the client's stats
# must list exactly three migrations, each with its recovery time.
# Usage: move_transfer.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq ss

SIZE=$((64 * 1024 * 1024))
MOVES=3

tb_start_transfer "$SIZE" "$SIZE" 80mbit
test_say "transfer started: $((SIZE >> 20)) MiB each way at 80 Mbit/s"

for ((move = 1; move <= MOVES; move++)); do
  # Move when the client has received move/(MOVES+1) of the download.
  tb_wait_for_download $((SIZE * move / (MOVES + 1)))
  tb_move_client "10.200.$((move + 2)).2/24" "10.200.$((move + 2)).1"
  tb_wait_for_migration "$move"
done

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" "$MOVES" client-move
test_say "recovery times (ms): $(jq -r '[.migrations[].recovery_ms | tostring] | join(", ")' "$TEST_TMP/cli.json")"
test_say "PASS"
