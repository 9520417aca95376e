#!/usr/bin/env bash
# The name service dies (SIGKILL) in the middle of a transfer by name, right
# after acknowledging an update. The transfer carries on; the server even
# moves while the service is down (its RECONNECT needs no name service) and
# keeps trying to re-register. mnamed restarts on the same data directory:
# the acknowledged update is there, the server's registration catches up,
# clients' watches resume, and both streams arrive intact.
# Usage: names_restart.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq

SIZE=$((16 * 1024 * 1024))
tb_topology_client_router_server 40mbit
tb_start_names "$MNAMED"
"$MNAMED" keygen --out "$TEST_TMP/other.key" >/dev/null
tb_start_named_transfer "$SIZE"
tb_wait_for_download $((SIZE / 5))

# An acknowledged update, then SIGKILL at once.
ip netns exec "$TB_RTR" timeout 10 "$MNAMED" register --server "$TB_NAMES" --key "$TEST_TMP/other.key" \
  other 10.200.9.9:9999 >"$TEST_TMP/other.json" 2>>"$TEST_TMP/mnamed.log" || test_fail "the update was not acknowledged"
tb_kill_tree KILL "$TB_MNAMED"
test_say "mnamed killed right after acknowledging 'other' version $(jq .version "$TEST_TMP/other.json")"

size_then=$(test_file_size "$TEST_TMP/cli.out")
sleep 0.5
(($(test_file_size "$TEST_TMP/cli.out") > size_then)) || test_fail "the transfer stopped with the name service"
test_say "the transfer carries on without the name service"

tb_move_server 10.200.6.2/24 10.200.6.1
test_say "server moved while mnamed was down"
tb_wait_for_migration 1

tb_serve_names "$MNAMED"
other=$(tb_lookup "$MNAMED" other)
[[ $(jq -S . <<<"$other") == "$(jq -S . "$TEST_TMP/other.json")" ]] ||
  test_fail "the acknowledged record was lost: stored $(cat "$TEST_TMP/other.json"), found '$other'"
test_say "mnamed restarted; the acknowledged record is intact"
srv_at_new() { [[ $(tb_lookup "$MNAMED" srv | jq -r '.addresses[0]') == 10.200.6.2:7000 ]]; }
test_wait_until 15 srv_at_new || test_fail "the server's registration did not catch up: $(tb_lookup "$MNAMED" srv)"
test_say "the server's name caught up: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"

tb_expect_transfer_done
test_say "PASS"
