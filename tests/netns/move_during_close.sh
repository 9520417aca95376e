#!/usr/bin/env bash
# Half-close survives a move: the server sends 64 KiB and reaches stdin EOF
# while the client is still sending 32 MiB; the client moves after the
# server's EOF reached it and before it is done. Both ends exit 0, both
# streams are intact, and the client's stats list one migration. (Under
# ncat's end-of-file rules it is the listener whose EOF may cross first: the
# client's would end the connection at the listener, and the client goes on
# after the listener's only with -k, which tb_start_transfer gives it.)
# Usage: move_during_close.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq ss pgrep

UP_SIZE=$((32 * 1024 * 1024))
DOWN_SIZE=$((64 * 1024))
tb_start_transfer "$UP_SIZE" "$DOWN_SIZE" 40mbit

# The client has all of the server's bytes and has seen its EOF: its
# standard output is closed.
tb_wait_for_download "$DOWN_SIZE"
mcat_pid=$(pgrep -P "$TB_CLIENT" | head -n 1 || true)
client_stdout_closed() { [[ -z $mcat_pid ]] || [[ ! -e /proc/$mcat_pid/fd/1 ]]; }
test_wait_until 20 client_stdout_closed || test_fail "the client never saw the server's end of file"
test_say "server's input delivered ($DOWN_SIZE bytes) and its EOF with the client; client still sending"

# Move a quarter of the way into the upload (seconds after the EOF).
test_wait_for_size "$TEST_TMP/srv.out" $((UP_SIZE / 4)) 60 "$TB_SERVER" ||
  test_fail "the server received only $(test_file_size "$TEST_TMP/srv.out") of $((UP_SIZE / 4)) bytes"
received=$(test_file_size "$TEST_TMP/srv.out")
if ((received >= UP_SIZE)) || ! test_running "$TB_CLIENT"; then
  test_fail "the client finished before the move; the test proves nothing"
fi
tb_move_client 10.200.3.2/24 10.200.3.1
tb_wait_for_migration 1

tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 1
test_say "recovery time (ms): $(jq -r '.migrations[0].recovery_ms' "$TEST_TMP/cli.json")"
test_say "PASS"
