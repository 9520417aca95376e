#!/usr/bin/env bash
# Losing the relay a connection goes through (DESIGN.md, "Proxied"), on the
# NAT testbed (tb_topology_nat) with two relays. The server, behind NAT A,
# reserves its name on both and publishes both reservation addresses; the
# client, behind NAT B, connects by name through one of them and exchanges
# a file each way, slowed by tbf so that every event falls mid-transfer.
#  A. The relay carrying the client's flowpath gets SIGTERM (a drain): the
#     name's record drops it within 1 s, the client migrates to the other
#     relay, the drained relay exits 0 by itself once the flow has moved,
#     and both streams arrive exact.
#  B. The drained relay is started again, a fresh server reserves on both,
#     and the relay carrying the client's flowpath is killed (SIGKILL): the
#     record drops it, the client migrates, both streams arrive exact, and
#     the longest stall of the download (its size sampled every 50 ms) stays
#     under 5 s. The figure is printed: the aim is 1 s, with multipath
#     across relays.
# Usage: proxy_relay_loss.sh MCAT MNAMED MPROXY
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED MPROXY -- "$@"
tb_require_root jq ss nft curl

SIZE=$((16 * 1024 * 1024))
RATE=32mbit              # each way: 16 MiB take about 4 s
DRAIN_RECORD_MS=1000     # the record drops a draining relay within this
DRAIN_EXIT_SECONDS=20    # the drained relay exits by itself within this
KILL_RECORD_SECONDS=10   # the record drops a killed relay within this
STALL_LIMIT_MS=5000      # the longest stall of the download allowed after a kill

tb_topology_nat 2
tb_start_names "$MNAMED"
tb_rate_limit "$TB_NAT_B" lan "$RATE"
tb_rate_limit "$TB_CLI" eth0 "$RATE"
RELAY_PIDS=()
for index in 1 2; do
  tb_start_relay "$MPROXY" "$index"
  RELAY_PIDS+=("$TB_RELAY_PID")
done
test_say "public segment: mnamed at $TB_NAMES_LISTEN, relays at ${TB_RELAY_ADDRS[*]} (port 7800);" \
  "server behind NAT A, client behind NAT B at $RATE"

# record_lists INDEX: true if the name's record lists relay INDEX's address.
record_lists() {
  tb_lookup "$MNAMED" srv | jq -e --arg relay "${TB_RELAY_ADDRS[$1 - 1]}:" \
    'any(.addresses[]; startswith($relay))' >/dev/null
}

# record_lists_both: true if the record lists both relays.
record_lists_both() { record_lists 1 && record_lists 2; }

# record_drops INDEX: true once the record no longer lists relay INDEX.
record_drops() { ! record_lists "$1"; }

# start_server LOG: `mcat -l` as srv behind NAT A, reserving on both
# relays, sending down.bin, stderr in LOG; waits until the name's record
# lists both relays. Sets TB_SERVER.
start_server() {
  local log=$TEST_TMP/$1
  tb_spawn "$TB_SRV" 150 "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TEST_TMP/srv.key" \
    --proxy "${TB_RELAY_ADDRS[0]}:7800" --proxy "${TB_RELAY_ADDRS[1]}:7800" -p 7000 --stats "$TEST_TMP/srv.json" \
    <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out" 2>"$log"
  TB_SERVER=$TB_PID
  test_wait_until 15 record_lists_both || test_fail "srv's record does not list both relays: $(tb_lookup "$MNAMED" srv)"
}

# start_client: a client by name that exchanges up.bin and down.bin with
# the server; waits until it is connected through a relay and sets
# CARRIER, the index of that relay.
start_client() {
  local address index
  tb_start_exchange_client 150 "$SIZE" -v --names "$TB_NAMES" srv
  test_wait_for_line "$TEST_TMP/cli.log" 'connected to 10\.220\.0\.1[12]:' 15 ||
    test_fail "the client did not connect through a relay"
  address=$(grep -m1 -oE 'connected to [0-9.]+' "$TEST_TMP/cli.log" | awk '{ print $3 }')
  CARRIER=
  for index in 1 2; do
    [[ ${TB_RELAY_ADDRS[index - 1]} == "$address" ]] && CARRIER=$index
  done
  [[ -n $CARRIER ]] || test_fail "the client connected to $address, which is no relay"
}

# random_files: up.bin and down.bin, SIZE bytes of random data each.
random_files() {
  test_random_file "$TEST_TMP/up.bin" "$SIZE"
  test_random_file "$TEST_TMP/down.bin" "$SIZE"
}

# progress: bytes received so far at each end.
progress() {
  echo "client has $(test_file_size "$TEST_TMP/cli.out"), server $(test_file_size "$TEST_TMP/srv.out") bytes"
}

# at_first_quarter: wait until a quarter of the download has arrived, and
# check both streams are still under way.
at_first_quarter() {
  tb_wait_for_download $((SIZE / 4))
  test_running "$TB_CLIENT" || test_fail "the client ended before the relay was lost"
  (($(test_file_size "$TEST_TMP/srv.out") < SIZE)) || test_fail "the upload was over before the relay was lost"
  (($(test_file_size "$TEST_TMP/cli.out") < SIZE)) || test_fail "the download was over before the relay was lost"
}

# splices_one INDEX: true if relay INDEX splices exactly one flowpath now
# (its mproxy_flows gauge).
splices_one() { [[ $(tb_relay_metric "$1" mproxy_flows) == 1 ]]; }

# expect_flows_on INDEX: relay INDEX splices the client's flowpath, the
# other none.
expect_flows_on() {
  local index=$1 other=$((3 - $1))
  splices_one "$index" ||
    test_fail "relay $index splices $(tb_relay_metric "$index" mproxy_flows) flows, not the client's one"
  [[ $(tb_relay_metric "$other" mproxy_flows) == 0 ]] ||
    test_fail "relay $other splices $(tb_relay_metric "$other" mproxy_flows) flows, expected none"
}

# sample_download FILE: every 50 ms until the client exits, "MICROSECONDS
# BYTES" of the download so far appended to FILE, in the background
# (tracked). Sets SAMPLER.
sample_download() {
  local file=$1
  (
    while test_running "$TB_CLIENT"; do
      echo "$(test_now_us) $(test_file_size "$TEST_TMP/cli.out")" >>"$file"
      sleep 0.05
    done
  ) {TEST_OUT}>&- {TEST_ERR}>&- &
  SAMPLER=$!
  test_track "$SAMPLER"
}

# longest_stall FILE: "MILLISECONDS BYTES": the longest time the download
# sampled in FILE stood still between its first byte and its last, and how
# much had arrived when it stalled.
longest_stall() {
  awk -v total="$SIZE" '
    $2 > 0 && !started { started = 1; last = $1; bytes = $2; next }
    !started { next }
    $2 > bytes { if ($1 - last > longest) { longest = $1 - last; at = bytes }; last = $1; bytes = $2 }
    bytes >= total { exit }
    END { printf "%d %d\n", longest / 1000, at }' "$1"
}

# start_transfer CASE: fresh files, a server reserving on both relays
# (stderr srv-CASE.log) and a client by name, its download sampled (in
# samples-CASE); returns once a quarter of the download has arrived, both
# streams under way, and the client's relay (CARRIER) splices its flowpath.
# Sets STARTED (test_now_us).
start_transfer() {
  local case=$1
  random_files
  start_server "srv-$case.log"
  test_say "$case. srv reserved on both relays: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"
  start_client
  STARTED=$(test_now_us)
  sample_download "$TEST_TMP/samples-$case"
  test_say "   client: $(grep -m1 -o 'connected to [^ ]*' "$TEST_TMP/cli.log") (relay $CARRIER)"
  at_first_quarter
  expect_flows_on "$CARRIER"
}

# finish_transfer CASE WHAT [CAUSE]: both streams exact, one migration (of
# CAUSE) in the client's stats; says how long the transfer took across
# WHAT and the longest stall of its download. Sets STALL_MS.
finish_transfer() {
  local case=$1 what=$2 cause=${3:-} ms stall_at
  tb_expect_transfer_done
  tb_expect_migrations "$TEST_TMP/cli.json" 1 "$cause"
  test_wait_pid "$SAMPLER" || true
  read -r STALL_MS stall_at < <(longest_stall "$TEST_TMP/samples-$case")
  ms=$(((TB_CLIENT_EXITED_US - STARTED) / 1000))
  test_say "$case. $((SIZE >> 20)) MiB each way in $ms ms across $what; migration (recovery ms, cause):" \
    "$(jq -r '[.migrations[] | "\(.recovery_ms) \(.cause)"] | join(", ")' "$TEST_TMP/cli.json")"
  test_say "   longest stall of the download: $STALL_MS ms, at byte $stall_at (sampled every 50 ms)"
}

# ---- A. the relay carrying the flowpath drains ------------------------------
start_transfer A
drained=$CARRIER
survivor=$((3 - drained))
test_say "   SIGTERM to relay $drained at $(progress)"
signalled=$(test_now_us)
kill -TERM "$(test_child_pid "${RELAY_PIDS[drained - 1]}")"
test_wait_until 5 record_drops "$drained" || test_fail "the record still lists draining relay $drained: $(tb_lookup "$MNAMED" srv)"
dropped_ms=$((($(test_now_us) - signalled) / 1000))
test_say "   the record dropped relay $drained $dropped_ms ms after SIGTERM: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"
((dropped_ms <= DRAIN_RECORD_MS)) || test_fail "the record dropped draining relay $drained after $dropped_ms ms (limit $DRAIN_RECORD_MS)"
record_lists "$survivor" || test_fail "the record lost the other relay too: $(tb_lookup "$MNAMED" srv)"
tb_wait_for_migration 1 server-move
test_say "   logged by $((($(test_now_us) - signalled) / 1000)) ms after SIGTERM, at $(progress)"
test_wait_until 5 splices_one "$survivor" || test_fail "relay $survivor does not splice the client's flowpath after the migration"
test_say "   the flowpath goes through relay $survivor now"
test_wait_until "$DRAIN_EXIT_SECONDS" test_exited "${RELAY_PIDS[drained - 1]}" ||
  test_fail "drained relay $drained still runs $DRAIN_EXIT_SECONDS s after SIGTERM ($(tb_relay_metric "$drained" mproxy_flows) flows)"
test_say "   relay $drained left by itself $((($(test_now_us) - signalled) / 1000)) ms after SIGTERM:" \
  "$(grep -m1 -oE 'mproxy: [0-9]+ flow.*' "$TEST_TMP/relay$drained.log" || echo 'no summary')"
test_expect_exit "${RELAY_PIDS[drained - 1]}" "drained relay $drained"
finish_transfer A "the drain" server-move
mv "$TEST_TMP/cli.log" "$TEST_TMP/cli-a.log"
mv "$TEST_TMP/relay$drained.log" "$TEST_TMP/relay$drained-drained.log"

# ---- B. the relay carrying the flowpath is killed ---------------------------
tb_start_relay "$MPROXY" "$drained"
RELAY_PIDS[drained - 1]=$TB_RELAY_PID
test_say "relay $drained started again"
start_transfer B
killed=$CARRIER
test_say "   SIGKILL to relay $killed at $(progress)"
signalled=$(test_now_us)
kill -KILL "$(test_child_pid "${RELAY_PIDS[killed - 1]}")"
status=0
test_wait_pid "${RELAY_PIDS[killed - 1]}" 2>/dev/null || status=$?
((status == 128 + 9)) || test_fail "relay $killed exited $status after SIGKILL"
test_wait_until "$KILL_RECORD_SECONDS" record_drops "$killed" ||
  test_fail "the record still lists dead relay $killed $KILL_RECORD_SECONDS s after SIGKILL: $(tb_lookup "$MNAMED" srv)"
test_say "   the record dropped relay $killed $((($(test_now_us) - signalled) / 1000)) ms after SIGKILL:" \
  "$(tb_lookup "$MNAMED" srv | jq -c .addresses)"
tb_wait_for_migration 1
test_say "   logged by $((($(test_now_us) - signalled) / 1000)) ms after SIGKILL, at $(progress)"
record_lists $((3 - killed)) || test_fail "the record lost the other relay too: $(tb_lookup "$MNAMED" srv)"
finish_transfer B "the kill"
((STALL_MS < STALL_LIMIT_MS)) || test_fail "the download stalled $STALL_MS ms after relay $killed died (limit $STALL_LIMIT_MS)"
test_say "   under the limit of $STALL_LIMIT_MS ms; the aim is 1000 ms, with multipath across relays"
test_say "PASS"
