#!/usr/bin/env bash
# Half-close survives a move: the client sends 64 KiB and reaches stdin EOF
# while the server is still sending 32 MiB; the client moves after its EOF
# went out and before the server is done. Both ends exit 0, both streams are
# intact, and the client's stats list one migration.
# Usage: move_during_close.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq ss pgrep

UP_SIZE=$((64 * 1024))
DOWN_SIZE=$((32 * 1024 * 1024))

tb_start_transfer "$UP_SIZE" "$DOWN_SIZE" 40mbit

# The server has all of the client's bytes, and the client has read its whole
# stdin (so its EOF is queued right behind them).
test_wait_for_size "$TEST_TMP/srv.out" "$UP_SIZE" 20 "$TB_SERVER" || test_fail "server received only $(test_file_size "$TEST_TMP/srv.out") of $UP_SIZE bytes"
mcat_pid=$(pgrep -P "$TB_CLIENT" | head -n 1 || true)
if [[ -n $mcat_pid && -r /proc/$mcat_pid/fdinfo/0 ]]; then
  position=$(awk '/^pos:/ { print $2 }' "/proc/$mcat_pid/fdinfo/0")
  ((position == UP_SIZE)) || test_fail "client read only $position of its $UP_SIZE input bytes before the move"
fi
test_say "client input delivered ($UP_SIZE bytes) and at EOF; server still sending"

# Move a quarter of the way into the download (seconds after the EOF).
tb_wait_for_download $((DOWN_SIZE / 4))
received=$(test_file_size "$TEST_TMP/cli.out")
if ((received >= DOWN_SIZE)) || ! test_running "$TB_SERVER"; then
  test_fail "the server finished before the move; the test proves nothing"
fi
tb_move_client 10.200.3.2/24 10.200.3.1
tb_wait_for_migration 1

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 1
test_say "recovery time (ms): $(jq -r '.migrations[0].recovery_ms' "$TEST_TMP/cli.json")"
test_say "PASS"
