#!/usr/bin/env bash
# Server mobility (paper §III-B3): 20 clients download 4 MiB each, by name,
# from one server; at a third of the downloads the server's address changes
# (10.200.2.2 -> 10.200.6.2, delete-then-add). The server re-registers its
# name and sends RECONNECT to every client; every download must finish with
# the right checksum, and each client must report exactly one migration, of
# cause server-move.
# Usage: names_server_move.sh MCAT MNAMED
set -euo pipefail
MCAT=${1:?usage: names_server_move.sh MCAT MNAMED}
MNAMED=${2:?usage: names_server_move.sh MCAT MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"
tb_require_exe "$MNAMED"

CLIENTS=${MSOCKET_TEST_CLIENTS:-20}
SIZE=$((4 * 1024 * 1024))

tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 100mbit
tb_start_names "$MNAMED"
tb_random_file "$TB_TMP/down.bin" "$SIZE"

tb_spawn "$TB_SRV" 120 "$MCAT" -l -k -v --names "$TB_NAMES" --name srv --key "$TB_TMP/srv.key" \
  -p 7000 -c "cat $TB_TMP/down.bin" 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" 'registered srv at 10.200.2.2:7000' 10 || tb_fail "the server did not register"
tb_say "server registered: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"

clients=()
for ((i = 1; i <= CLIENTS; i++)); do
  tb_spawn "$TB_CLI" 120 "$MCAT" -vv --names "$TB_NAMES" --stats "$TB_TMP/cli$i.json" srv \
    </dev/null >"$TB_TMP/cli$i.out" 2>"$TB_TMP/cli$i.log"
  clients+=("$TB_PID")
done
for ((i = 1; i <= CLIENTS; i++)); do
  tb_wait_for_line "$TB_TMP/cli$i.log" 'connected to 10.200.2.2:7000' 10 || tb_fail "client $i did not connect"
done
tb_say "$CLIENTS clients downloading $((SIZE >> 20)) MiB each at 100 Mbit/s in all"

received() {
  local total=0 i
  for ((i = 1; i <= CLIENTS; i++)); do total=$((total + $(tb_file_size "$TB_TMP/cli$i.out"))); done
  echo "$total"
}
third_received() { (($(received) >= CLIENTS * SIZE / 3)); }
tb_wait_until 60 third_received || tb_fail "the downloads stalled at $(received) bytes"

tb_say "server moves 10.200.2.2 -> 10.200.6.2 at $(received) bytes received"
moved_at=$(tb_now_us)
tb_move_server 10.200.6.2/24 10.200.6.1

for ((i = 1; i <= CLIENTS; i++)); do
  tb_wait_for_line "$TB_TMP/cli$i.log" 'migrated conn=' 20 || tb_fail "client $i never migrated"
done
all_back_ms=$((($(tb_now_us) - moved_at) / 1000))
tb_say "all $CLIENTS clients migrated within ${all_back_ms} ms of the move (as seen by this script)"
grep -q 'registered srv at 10.200.6.2:7000' "$TB_TMP/srv.log" || tb_fail "the server did not re-register"
tb_say "name now: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"

for ((i = 1; i <= CLIENTS; i++)); do
  tb_expect_exit "${clients[i - 1]}" "client $i"
  tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli$i.out" "server -> client $i" >/dev/null
  jq -e '(.migrations | length) == 1 and .migrations[0].cause == "server-move"' "$TB_TMP/cli$i.json" \
    >/dev/null || tb_fail "client $i: expected one server-move migration, got $(jq -c .migrations "$TB_TMP/cli$i.json")"
done
tb_say "all $CLIENTS downloads intact; each client reports one server-move migration"
recoveries=$(jq -s '[.[].migrations[0].recovery_ms] | sort' "$TB_TMP"/cli*.json)
tb_say "client recovery times (ms): min $(jq '.[0]' <<<"$recoveries")," \
  "median $(jq '.[length / 2 | floor]' <<<"$recoveries"), max $(jq '.[-1]' <<<"$recoveries")"
kill -TERM "$server" 2>/dev/null || true
tb_say "PASS"
