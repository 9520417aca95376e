#!/usr/bin/env bash
# One connection through two relays, and losing one of them (DESIGN.md,
# "Proxied"; docs/protocol.md §2.8, §5), on the NAT testbed
# (tb_topology_nat) with two relays, each relay's egress limited to RATE
# (tbf). The server, behind NAT A, reserves its name on both and publishes
# both reservation addresses; the client, behind NAT B, connects by name
# through one, is told of both relays by the server (ADDRESSES of relays)
# and keeps a flowpath through each: both relays splice one flow.
#  A. Drain: during an exchange each way, the relay the client reached
#     first gets SIGTERM. The name's record drops it within 1 s, the client
#     leaves its flowpath there with no migration (the other carries on),
#     the drained relay exits 0 by itself once the flow is gone, and both
#     streams arrive exact.
#  B. Kill: the drained relay is started again, a fresh server reserves on
#     both, and 64 MiB go down through both relays. Before the kill each
#     relay has carried at least a quarter of the bytes, and the download
#     runs at no less than 0.85 x the sum of their rates (the figure is
#     printed: the aim is 0.9, met at 0.90 to 0.97 here,
#     docs/results.md; the margin is for a loaded one); at half way one
#     relay gets SIGKILL. The download stalls 1 s at most
#     (its size sampled every 50 ms), the client neither migrates nor looks
#     the name up, the record drops the dead relay, and the bytes arrive
#     exact.
#  C. The pool: both relays registered themselves in mnamed (mproxy
#     --key; the drained one in A left the pool at once). The killed relay
#     is started again, a fresh server takes one relay from the pool
#     (--proxy auto=1), and the relay carrying a download gets SIGKILL. The
#     server reserves on the other, the record lists it instead, the
#     client follows through the name (one migration) and the bytes arrive
#     exact.
#  D. Picking again after a move: the killed relay is started again, a
#     fresh server takes one relay of the pool, and during a download NAT A
#     starts dropping what its new subnet sends to that relay; the server
#     moves there. It finds the relay out of reach, reserves on the other
#     within 10 s (not after the reservation's 30 s), and the client
#     follows; the bytes arrive exact.
# Usage: proxy_relay_loss.sh MCAT MNAMED MPROXY
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED MPROXY -- "$@"
tb_require_root jq ss nft curl

EXCHANGE_SIZE=$((16 * 1024 * 1024))  # A: each way
DOWNLOAD_SIZE=$((64 * 1024 * 1024))  # B
RATE_MBIT=80             # each relay's egress: both together carry 160 Mbit/s
AGGREGATE_SHARE=85       # B's download rate before the kill, % of the sum at least
RELAY_SHARE=25           # and the share of the bytes each relay carried, % at least
DRAIN_RECORD_MS=1000     # the record drops a draining relay within this
DRAIN_EXIT_SECONDS=20    # the drained relay exits by itself within this
KILL_RECORD_SECONDS=10   # the record drops a killed relay within this
STALL_LIMIT_MS=1000      # the longest stall of the download allowed after a kill

tb_topology_nat 2
tb_start_names "$MNAMED"
# start_relay INDEX: relay INDEX, in the pool as mproxy.rINDEX. Sets RELAY_PIDS[INDEX - 1].
start_relay() {
  tb_start_relay "$MPROXY" "$1" --key "$TEST_TMP/relay$1.key" --name "mproxy.r$1"
  RELAY_PIDS[$1 - 1]=$TB_RELAY_PID
}
RELAY_PIDS=()
for index in 1 2; do
  "$MNAMED" keygen --out "$TEST_TMP/relay$index.key" >/dev/null || test_fail "mnamed keygen failed"
  tb_rate_limit "${TB_RELAYS[index - 1]}" eth0 "${RATE_MBIT}mbit"
  start_relay "$index"
done
test_say "public segment: mnamed at $TB_NAMES_LISTEN, relays at ${TB_RELAY_ADDRS[*]} (port 7800)," \
  "each sending at $RATE_MBIT Mbit/s; server behind NAT A, client behind NAT B"

# record_lists INDEX: true if the name's record lists relay INDEX's address.
record_lists() {
  tb_lookup "$MNAMED" srv | jq -e --arg relay "${TB_RELAY_ADDRS[$1 - 1]}:" \
    'any(.addresses[]; startswith($relay))' >/dev/null
}

# record_lists_both: true if the record lists both relays.
record_lists_both() { record_lists 1 && record_lists 2; }

# record_drops INDEX: true once the record no longer lists relay INDEX.
record_drops() { ! record_lists "$1"; }

# start_server LOG MCAT_OPTION...: `mcat -l` as srv behind NAT A, with
# MCAT_OPTION... (its relays), sending down.bin, stderr in LOG. Sets TB_SERVER.
start_server() {
  local log=$TEST_TMP/$1
  shift
  tb_spawn "$TB_SRV" 150 "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TEST_TMP/srv.key" \
    "$@" -p 7000 --stats "$TEST_TMP/srv.json" <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out" 2>"$log"
  TB_SERVER=$TB_PID
}

# start_server_on_both LOG: start_server on both relays, named, and wait
# until the name's record lists both.
start_server_on_both() {
  start_server "$1" --proxy "${TB_RELAY_ADDRS[0]}:7800" --proxy "${TB_RELAY_ADDRS[1]}:7800"
  test_wait_until 15 record_lists_both || test_fail "srv's record does not list both relays: $(tb_lookup "$MNAMED" srv)"
}

# in_pool INDEX: true if relay INDEX's record is in the pool.
in_pool() { [[ -n $(tb_lookup "$MNAMED" "mproxy.r$1") ]]; }

# start_client MCAT_OPTION...: a client by name (tb_start_client's files),
# with MCAT_OPTION...; waits until it is connected through a relay and sets
# FIRST, the index of that relay.
start_client() {
  local address index
  tb_start_client 150 -v "$@" --names "$TB_NAMES" srv
  test_wait_for_line "$TEST_TMP/cli.log" 'connected to 10\.220\.0\.1[12]:' 15 ||
    test_fail "the client did not connect through a relay"
  address=$(grep -m1 -oE 'connected to [0-9.]+' "$TEST_TMP/cli.log" | awk '{ print $3 }')
  FIRST=
  for index in 1 2; do
    [[ ${TB_RELAY_ADDRS[index - 1]} == "$address" ]] && FIRST=$index
  done
  [[ -n $FIRST ]] || test_fail "the client connected to $address, which is no relay"
}

# progress: bytes received so far at each end.
progress() {
  echo "client has $(test_file_size "$TEST_TMP/cli.out"), server $(test_file_size "$TEST_TMP/srv.out") bytes"
}

# splices INDEX COUNT: true if relay INDEX splices exactly COUNT flowpaths
# now (its mproxy_flows gauge).
splices() { [[ $(tb_relay_metric "$1" mproxy_flows) == "$2" ]]; }

# splices_one_each: true if each relay splices one flowpath of the client.
splices_one_each() { splices 1 1 && splices 2 1; }

# expect_both_relays: within 5 s, the client has a flowpath through each
# relay (it learnt of the second from the server).
expect_both_relays() {
  test_wait_until 5 splices_one_each ||
    test_fail "the relays splice $(tb_relay_metric 1 mproxy_flows) and $(tb_relay_metric 2 mproxy_flows) flows, not one each"
  test_say "   a flowpath through each relay: $(grep -m1 -o 'reached through relays .*' "$TEST_TMP/cli.log")"
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

# longest_stall FILE SIZE: "MILLISECONDS BYTES": the longest time the
# download sampled in FILE stood still between its first byte and its
# last (SIZE), and how much had arrived when it stalled.
longest_stall() {
  awk -v total="$2" '
    $2 > 0 && !started { started = 1; last = $1; bytes = $2; next }
    !started { next }
    $2 > bytes { if ($1 - last > longest) { longest = $1 - last; at = bytes }; last = $1; bytes = $2 }
    bytes >= total { exit }
    END { printf "%d %d\n", longest / 1000, at }' "$1"
}

# rate_between FILE FROM TO: the download's rate in Mbit/s from the first
# sample in FILE with FROM bytes to the first with TO.
rate_between() {
  awk -v from="$2" -v to="$3" '
    $2 >= from && !t0 { t0 = $1; b0 = $2 }
    $2 >= to && t0 { printf "%d\n", ($2 - b0) * 8 / ($1 - t0); exit }' "$1"
}

# expect_no_move: the client's stats list no migration and its log no
# lookup of the name: the other relay's flowpath carried on.
expect_no_move() {
  tb_expect_migrations "$TEST_TMP/cli.json" 0
  if test_has_line "$TEST_TMP/cli.log" 'looking up where'; then
    test_fail "the client looked the name up: $(grep -m1 'looking up where' "$TEST_TMP/cli.log")"
  fi
}

# ---- A. a relay drains during an exchange both ways -------------------------
test_random_file "$TEST_TMP/up.bin" "$EXCHANGE_SIZE"
test_random_file "$TEST_TMP/down.bin" "$EXCHANGE_SIZE"
start_server_on_both srv-a.log
test_say "A. srv reserved on both relays: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"
tb_start_exchange_client 150 "$EXCHANGE_SIZE" -v --names "$TB_NAMES" srv
test_wait_for_line "$TEST_TMP/cli.log" 'connected to 10\.220\.0\.1[12]:' 15 || test_fail "the client did not connect through a relay"
drained=$(grep -m1 -oE 'connected to 10\.220\.0\.1[12]' "$TEST_TMP/cli.log" | tail -c 2)
survivor=$((3 - drained))
test_say "   client: $(grep -m1 -o 'connected to [^ ]*' "$TEST_TMP/cli.log") (relay $drained)"
expect_both_relays
tb_wait_for_download $((EXCHANGE_SIZE / 4))
(($(test_file_size "$TEST_TMP/srv.out") < EXCHANGE_SIZE)) || test_fail "the upload was over before the drain"
test_say "   SIGTERM to relay $drained at $(progress)"
signalled=$(test_now_us)
kill -TERM "$(test_child_pid "${RELAY_PIDS[drained - 1]}")"
test_wait_until 5 record_drops "$drained" || test_fail "the record still lists draining relay $drained: $(tb_lookup "$MNAMED" srv)"
dropped_ms=$((($(test_now_us) - signalled) / 1000))
test_say "   the record dropped relay $drained $dropped_ms ms after SIGTERM: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"
((dropped_ms <= DRAIN_RECORD_MS)) || test_fail "the record dropped draining relay $drained after $dropped_ms ms (limit $DRAIN_RECORD_MS)"
record_lists "$survivor" || test_fail "the record lost the other relay too: $(tb_lookup "$MNAMED" srv)"
in_pool "$drained" && test_fail "draining relay $drained is still in the pool: $(tb_lookup "$MNAMED" "mproxy.r$drained")"
in_pool "$survivor" || test_fail "relay $survivor is not in the pool"
test_say "   relay $drained left the pool, relay $survivor is there"
test_wait_until "$DRAIN_EXIT_SECONDS" test_exited "${RELAY_PIDS[drained - 1]}" ||
  test_fail "drained relay $drained still runs $DRAIN_EXIT_SECONDS s after SIGTERM ($(tb_relay_metric "$drained" mproxy_flows) flows)"
test_say "   relay $drained left by itself $((($(test_now_us) - signalled) / 1000)) ms after SIGTERM, at $(progress):" \
  "$(grep -m1 -oE 'mproxy: [0-9]+ flow.*' "$TEST_TMP/relay$drained.log" || echo 'no summary')"
test_expect_exit "${RELAY_PIDS[drained - 1]}" "drained relay $drained"
tb_expect_transfer_done
expect_no_move
test_say "A. $((EXCHANGE_SIZE >> 20)) MiB each way exact across the drain, no migration, no lookup"
mv "$TEST_TMP/cli.log" "$TEST_TMP/cli-a.log"
mv "$TEST_TMP/cli.json" "$TEST_TMP/cli-a.json"
mv "$TEST_TMP/relay$drained.log" "$TEST_TMP/relay$drained-drained.log"

# ---- B. a relay is killed during a download through both --------------------
start_relay "$drained"
test_say "B. relay $drained started again"
: >"$TEST_TMP/up.bin"
test_random_file "$TEST_TMP/down.bin" "$DOWNLOAD_SIZE"
start_server_on_both srv-b.log
# --recv-only: the client's empty input would end the connection at the
# listener before the download (ncat's end-of-file rules).
start_client --recv-only
started=$(test_now_us)
sample_download "$TEST_TMP/samples"
expect_both_relays
# The relay that was not restarted counts the bytes of A too.
baseline=("$(tb_relay_metric 1 mproxy_spliced_bytes_total)" "$(tb_relay_metric 2 mproxy_spliced_bytes_total)")
tb_wait_for_download $((DOWNLOAD_SIZE / 2))
before=$(rate_between "$TEST_TMP/samples" $((DOWNLOAD_SIZE / 8)) $((DOWNLOAD_SIZE * 7 / 16)))
test_say "   download rate through both relays: ${before:-?} Mbit/s (the sum of their rates: $((2 * RATE_MBIT)))"
spliced=($(($(tb_relay_metric 1 mproxy_spliced_bytes_total) - baseline[0]))
  $(($(tb_relay_metric 2 mproxy_spliced_bytes_total) - baseline[1])))
test_say "   the relays spliced ${spliced[0]} and ${spliced[1]} bytes"
for index in 1 2; do
  ((spliced[index - 1] * 100 >= RELAY_SHARE * (spliced[0] + spliced[1]))) ||
    test_fail "relay $index carried ${spliced[index - 1]} of $((spliced[0] + spliced[1])) bytes, under $RELAY_SHARE%"
done
killed=$FIRST
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
tb_expect_transfer_done
test_wait_pid "$SAMPLER" || true
read -r stall_ms stall_at < <(longest_stall "$TEST_TMP/samples" "$DOWNLOAD_SIZE")
test_say "B. $((DOWNLOAD_SIZE >> 20)) MiB exact in $(((TB_CLIENT_EXITED_US - started) / 1000)) ms;" \
  "longest stall $stall_ms ms, at byte $stall_at (sampled every 50 ms)"
expect_no_move
((stall_ms <= STALL_LIMIT_MS)) || test_fail "the download stalled $stall_ms ms after relay $killed died (limit $STALL_LIMIT_MS)"
[[ -n $before ]] || test_fail "no download rate could be measured before the kill"
((before * 100 >= AGGREGATE_SHARE * 2 * RATE_MBIT)) ||
  test_fail "the download ran at $before Mbit/s through both relays, under $AGGREGATE_SHARE% of $((2 * RATE_MBIT))"
test_say "   $((before * 100 / (2 * RATE_MBIT)))% of the sum of the relays' rates (at least $AGGREGATE_SHARE%; the aim is 90%)"
mv "$TEST_TMP/cli.log" "$TEST_TMP/cli-b.log"
mv "$TEST_TMP/cli.json" "$TEST_TMP/cli-b.json"
mv "$TEST_TMP/relay$killed.log" "$TEST_TMP/relay$killed-killed.log"

# ---- C. one relay of the pool in use: it is killed, the server takes the other
start_relay "$killed"
test_wait_until 5 in_pool "$killed" || test_fail "relay $killed did not join the pool again"
test_say "C. relay $killed started again; the pool: $(tb_lookup "$MNAMED" mproxy.r1 | jq -r '.addresses[0]')," \
  "$(tb_lookup "$MNAMED" mproxy.r2 | jq -r '.addresses[0]')"
test_random_file "$TEST_TMP/down.bin" "$EXCHANGE_SIZE"
start_server srv-c.log --proxy auto=1
test_wait_until 15 test_has_line "$TEST_TMP/srv-c.log" 'reached through relays' ||
  test_fail "srv never reserved on a relay: $(tail -n 5 "$TEST_TMP/srv-c.log")"
test_say "   srv chose: $(grep -m1 -o 'relays by connect time.*' "$TEST_TMP/srv-c.log")"
test_wait_until 5 eval '[[ $(tb_lookup "$MNAMED" srv | jq ".addresses | length") == 1 ]]' ||
  test_fail "srv's record does not list one relay: $(tb_lookup "$MNAMED" srv)"
start_client --recv-only
used=$FIRST
tb_wait_for_download $((EXCHANGE_SIZE / 4))
test_say "   SIGKILL to relay $used, the only one in use, at $(progress)"
signalled=$(test_now_us)
kill -KILL "$(test_child_pid "${RELAY_PIDS[used - 1]}")"
test_wait_pid "${RELAY_PIDS[used - 1]}" 2>/dev/null || true
test_wait_until 10 record_lists $((3 - used)) ||
  test_fail "the record does not list relay $((3 - used)) 10 s after relay $used died: $(tb_lookup "$MNAMED" srv)"
test_say "   the record lists relay $((3 - used)) $((($(test_now_us) - signalled) / 1000)) ms after SIGKILL:" \
  "$(tb_lookup "$MNAMED" srv | jq -c .addresses)"
record_drops "$used" || test_fail "the record still lists dead relay $used: $(tb_lookup "$MNAMED" srv)"
tb_wait_for_migration 1
test_say "   the client migrated $((($(test_now_us) - signalled) / 1000)) ms after SIGKILL"
tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 1
test_say "C. $((EXCHANGE_SIZE >> 20)) MiB exact across the loss of the only relay in use:" \
  "$(grep -m1 -o 'relay [^ ]* lost.*' "$TEST_TMP/srv-c.log")"
mv "$TEST_TMP/cli.log" "$TEST_TMP/cli-c.log"
mv "$TEST_TMP/cli.json" "$TEST_TMP/cli-c.json"
mv "$TEST_TMP/relay$used.log" "$TEST_TMP/relay$used-killed-c.log"

# ---- D. the server moves to where its relay is out of reach ----------------------
start_relay "$used"
test_wait_until 5 in_pool "$used" || test_fail "relay $used did not join the pool again"
test_random_file "$TEST_TMP/down.bin" "$EXCHANGE_SIZE"
start_server srv-d.log --proxy auto=1
test_wait_until 15 test_has_line "$TEST_TMP/srv-d.log" 'reached through relays' ||
  test_fail "srv never reserved on a relay: $(tail -n 5 "$TEST_TMP/srv-d.log")"
start_client --recv-only
chosen=$FIRST
other=$((3 - chosen))
tb_wait_for_download $((EXCHANGE_SIZE / 4))
ip netns exec "$TB_NAT_A" nft insert rule inet filter forward \
  ip saddr 10.230.2.0/24 ip daddr "${TB_RELAY_ADDRS[chosen - 1]}" counter drop
test_say "D. srv uses relay $chosen; NAT A drops 10.230.2.0/24 -> relay $chosen; srv moves there at $(progress)"
moved=$(test_now_us)
tb_move_server 10.230.2.2/24 10.230.2.1
test_wait_until 10 record_lists "$other" ||
  test_fail "the record does not list relay $other 10 s after the move: $(tb_lookup "$MNAMED" srv)"
test_say "   the record lists relay $other $((($(test_now_us) - moved) / 1000)) ms after the move:" \
  "$(grep -m1 -o 'after the move relay .*' "$TEST_TMP/srv-d.log")"
tb_wait_for_migration 1
tb_expect_transfer_done
test_say "D. $((EXCHANGE_SIZE >> 20)) MiB exact across the move: $(tb_last_migration)"
test_say "PASS"
