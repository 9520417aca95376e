#!/usr/bin/env bash
# The name service dies (SIGKILL) in the middle of a transfer by name, right
# after acknowledging an update. The transfer carries on; the server even
# moves while the service is down (its RECONNECT needs no name service) and
# keeps trying to re-register. mnamed restarts on the same data directory:
# the acknowledged update is there, the server's registration catches up,
# clients' watches resume, and both streams arrive intact.
# Usage: names_restart.sh MCAT MNAMED
set -euo pipefail
MCAT=${1:?usage: names_restart.sh MCAT MNAMED}
MNAMED=${2:?usage: names_restart.sh MCAT MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"
tb_require_exe "$MNAMED"

SIZE=$((16 * 1024 * 1024))
tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 40mbit
tb_rate_limit "$TB_RTR" "$TB_RTR_SRV_DEV" 40mbit
tb_start_names "$MNAMED"
"$MNAMED" keygen --out "$TB_TMP/other.key" >/dev/null
tb_random_file "$TB_TMP/up.bin" "$SIZE"
tb_random_file "$TB_TMP/down.bin" "$SIZE"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TB_TMP/srv.key" -p 7000 \
  --stats "$TB_TMP/srv.json" <"$TB_TMP/down.bin" >"$TB_TMP/srv.out" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" 'registered srv at 10.200.2.2:7000' 10 || tb_fail "the server did not register"
tb_spawn "$TB_CLI" 120 "$MCAT" -v --names "$TB_NAMES" --stats "$TB_TMP/cli.json" srv \
  <"$TB_TMP/up.bin" >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
client=$TB_PID
tb_wait_for_line "$TB_TMP/cli.log" 'connected to 10.200.2.2:7000' 10 || tb_fail "the client did not connect"
tb_wait_for_size "$TB_TMP/cli.out" $((SIZE / 5)) 30 "$client" || tb_fail "the transfer did not start"

# An acknowledged update, then SIGKILL at once.
ip netns exec "$TB_RTR" timeout 10 "$MNAMED" register --server "$TB_NAMES" --key "$TB_TMP/other.key" \
  other 10.200.9.9:9999 >"$TB_TMP/other.json" 2>>"$TB_TMP/mnamed.log" || tb_fail "the update was not acknowledged"
tb_kill_tree KILL "$TB_MNAMED"
tb_say "mnamed killed right after acknowledging 'other' version $(jq .version "$TB_TMP/other.json")"

size_then=$(tb_file_size "$TB_TMP/cli.out")
sleep 0.5
(($(tb_file_size "$TB_TMP/cli.out") > size_then)) || tb_fail "the transfer stopped with the name service"
tb_say "the transfer carries on without the name service"

tb_move_server 10.200.6.2/24 10.200.6.1
tb_wait_for_count "$TB_TMP/cli.log" 'migrated conn=' 1 20 || tb_fail "the client did not follow the server's move"
tb_say "server moved while mnamed was down: $(tb_last_migration)"

tb_spawn "$TB_RTR" 120 "$MNAMED" serve -v --listen 10.200.2.1:7700 --data-dir "$TB_TMP/names" \
  2>>"$TB_TMP/mnamed.log"
tb_wait_for_listen "$TB_RTR" 7700 10 || tb_fail "mnamed did not restart"
other=$(tb_lookup "$MNAMED" other)
[[ $(jq -S . <<<"$other") == "$(jq -S . "$TB_TMP/other.json")" ]] ||
  tb_fail "the acknowledged record was lost: stored $(cat "$TB_TMP/other.json"), found '$other'"
tb_say "mnamed restarted; the acknowledged record is intact"
srv_at_new() { [[ $(tb_lookup "$MNAMED" srv | jq -r '.addresses[0]') == 10.200.6.2:7000 ]]; }
tb_wait_until 15 srv_at_new || tb_fail "the server's registration did not catch up: $(tb_lookup "$MNAMED" srv)"
tb_say "the server's name caught up: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"

tb_expect_exit "$client" client
tb_expect_exit "$server" server
tb_expect_same "$TB_TMP/up.bin" "$TB_TMP/srv.out" "client -> server"
tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
tb_say "PASS"
