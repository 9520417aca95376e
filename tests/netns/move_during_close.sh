#!/usr/bin/env bash
# Half-close survives a move: the client sends 64 KiB and reaches stdin EOF
# while the server is still sending 32 MiB; the client moves after its EOF
# went out and before the server is done. Both ends exit 0, both streams are
# intact, and the client's stats list one migration.
# Usage: move_during_close.sh MCAT
set -euo pipefail
MCAT=${1:?usage: move_during_close.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq ss pgrep
tb_require_exe "$MCAT"

UP_SIZE=$((64 * 1024))
DOWN_SIZE=$((32 * 1024 * 1024))

tb_start_transfer "$UP_SIZE" "$DOWN_SIZE" 40mbit
server=$TB_SERVER
client=$TB_CLIENT

# The server has all of the client's bytes, and the client has read its whole
# stdin (so its EOF is queued right behind them).
tb_wait_for_size "$TB_TMP/srv.out" "$UP_SIZE" 20 "$server" || tb_fail "server received only $(tb_file_size "$TB_TMP/srv.out") of $UP_SIZE bytes"
mcat_pid=$(pgrep -P "$client" | head -n 1 || true)
if [[ -n $mcat_pid && -r /proc/$mcat_pid/fdinfo/0 ]]; then
  position=$(awk '/^pos:/ { print $2 }' "/proc/$mcat_pid/fdinfo/0")
  ((position == UP_SIZE)) || tb_fail "client read only $position of its $UP_SIZE input bytes before the move"
fi
tb_say "client input delivered ($UP_SIZE bytes) and at EOF; server still sending"

# Move a quarter of the way into the download (seconds after the EOF).
tb_wait_for_size "$TB_TMP/cli.out" $((DOWN_SIZE / 4)) 60 "$client" || tb_fail "client received only $(tb_file_size "$TB_TMP/cli.out") bytes"
received=$(tb_file_size "$TB_TMP/cli.out")
if ((received >= DOWN_SIZE)) || ! tb_running "$server"; then
  tb_fail "the server finished before the move; the test proves nothing"
fi
tb_move_client 10.200.3.2/24 10.200.3.1
tb_wait_for_line "$TB_TMP/cli.log" 'migrated conn=' 30 || tb_fail "no migration logged"
line=$(grep -E 'migrated conn=' "$TB_TMP/cli.log" | head -n 1)
tb_say "  resumed: migrated ${line#*migrated }"

tb_expect_transfer_done
migrations=$(tb_migrations "$TB_TMP/cli.json")
((migrations == 1)) || tb_fail "client stats list $migrations migrations, expected 1"
tb_say "recovery time (ms): $(jq -r '.migrations[0].recovery_ms' "$TB_TMP/cli.json")"
tb_say "PASS"
