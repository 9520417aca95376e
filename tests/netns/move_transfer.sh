#!/usr/bin/env bash
# 64 MiB each way at once through an 80 Mbit/s router while the client moves
# three times (10.200.1.2 -> .3.2 -> .4.2 -> .5.2, delete-then-add). Both
# byte streams must arrive intact, both ends exit 0, and the client's stats
# must list exactly three migrations, each with its recovery time.
# Usage: move_transfer.sh MCAT
set -euo pipefail
MCAT=${1:?usage: move_transfer.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq ss
tb_require_exe "$MCAT"

SIZE=$((64 * 1024 * 1024))
MOVES=3

tb_start_transfer "$SIZE" "$SIZE" 80mbit
client=$TB_CLIENT
tb_say "transfer started: $((SIZE >> 20)) MiB each way at 80 Mbit/s"

for ((move = 1; move <= MOVES; move++)); do
  # Move when the client has received move/(MOVES+1) of the download.
  status=0
  tb_wait_for_size "$TB_TMP/cli.out" $((SIZE * move / (MOVES + 1))) 60 "$client" || status=$?
  ((status == 0)) || tb_fail "before move $move the client received only $(tb_file_size "$TB_TMP/cli.out") bytes"
  tb_move_client "10.200.$((move + 2)).2/24" "10.200.$((move + 2)).1"
  tb_wait_for_count "$TB_TMP/cli.log" 'migrated conn=' "$move" 30 || tb_fail "no migration $move logged"
  line=$(grep -E 'migrated conn=' "$TB_TMP/cli.log" | sed -n "${move}p")
  tb_say "  resumed: migrated ${line#*migrated }"
done

tb_expect_transfer_done

migrations=$(tb_migrations "$TB_TMP/cli.json")
((migrations == MOVES)) || tb_fail "client stats list $migrations migrations, expected $MOVES"
jq -e 'all(.migrations[]; (.recovery_ms | type) == "number" and .cause == "client-move")' \
  "$TB_TMP/cli.json" >/dev/null || tb_fail "a migration lacks recovery_ms or cause client-move: $(jq -c .migrations "$TB_TMP/cli.json")"
tb_say "recovery times (ms): $(jq -r '[.migrations[].recovery_ms | tostring] | join(", ")' "$TB_TMP/cli.json")"
tb_say "PASS"
