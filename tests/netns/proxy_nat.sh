#!/usr/bin/env bash
# NAT traversal through a relay (DESIGN.md, "Proxied"): the server is behind
# NAT A (masquerade, port-preserving), the client behind NAT B (masquerade
# fully-random); neither NAT lets any connection in. mnamed and an mproxy
# are on the public segment between them. The server keeps a control
# channel to the relay and publishes the relay's port under its name; the
# client connects by name, and the relay splices its flowpaths to the ones
# the server dials back.
#  1. 12 MiB each way, by name, through the relay: both streams exact.
#  2. 24 MiB each way at 32 Mbit/s while the client moves (a new address
#     behind NAT B), then the server (behind NAT A), then both at once:
#     both streams exact, one migration per move. Before the moves, an
#     address that comes and goes on the server, unused by its control
#     channel, disturbs nothing.
#  3. NAT A's public address changes mid-transfer (nothing changes on the
#     server's host): the server learns it at its next renewal, reserves
#     again, and the client migrates; both streams exact.
#  7. The relay's namespace counts the TCP connections it opens (nftables,
#     output chain): some to mnamed (who owns the name), none elsewhere.
# Usage: proxy_nat.sh MCAT MNAMED MPROXY
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED MPROXY -- "$@"
tb_require_root jq ss nft curl

SIZE=$((12 * 1024 * 1024))
MOVING_SIZE=$((24 * 1024 * 1024))
RENUMBER_SIZE=$((8 * 1024 * 1024))
RATE=32mbit

tb_topology_nat 1
RELAY=${TB_RELAY_ADDRS[0]}
tb_watch_connections "${TB_RELAYS[0]}" "$TB_PUB_ADDR"
tb_start_names "$MNAMED"
tb_start_relay "$MPROXY" 1
test_say "public segment: mnamed at $TB_NAMES_LISTEN, relay at $RELAY:7800; server behind NAT A, client behind NAT B"

# start_server LOG: `mcat -l` as srv behind NAT A, reached through the
# relay, sending down.bin, stderr in LOG; waits until the name points at
# the relay. Sets TB_SERVER.
start_server() {
  local log=$TEST_TMP/$1
  tb_spawn "$TB_SRV" 150 "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TEST_TMP/srv.key" \
    --proxy "$RELAY:7800" -p 7000 --stats "$TEST_TMP/srv.json" \
    <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out" 2>"$log"
  TB_SERVER=$TB_PID
  test_wait_for_line "$log" "registered srv at $RELAY:[0-9]+" 15 ||
    test_fail "the server did not register the relay's address"
}

# start_client BYTES: a client by name that exchanges up.bin and down.bin
# of BYTES with the server; waits until it is connected.
start_client() {
  tb_start_exchange_client 150 "$1" -v --names "$TB_NAMES" srv
  test_wait_for_line "$TEST_TMP/cli.log" "connected to $RELAY:" 15 || test_fail "the client did not connect through the relay"
}

# random_files BYTES: up.bin and down.bin, BYTES of random data each.
random_files() {
  test_random_file "$TEST_TMP/up.bin" "$1"
  test_random_file "$TEST_TMP/down.bin" "$1"
}

# progress: bytes received so far at each end.
progress() {
  echo "client has $(test_file_size "$TEST_TMP/cli.out"), server $(test_file_size "$TEST_TMP/srv.out") bytes"
}

# expect_mid_transfer [BYTES]: neither stream of BYTES (MOVING_SIZE) is
# complete yet (a move now is a move in the middle of both).
expect_mid_transfer() {
  local bytes=${1:-$MOVING_SIZE}
  test_running "$TB_CLIENT" || test_fail "the client ended before the move"
  (($(test_file_size "$TEST_TMP/srv.out") < bytes)) || test_fail "the upload was over before the move"
  (($(test_file_size "$TEST_TMP/cli.out") < bytes)) || test_fail "the download was over before the move"
}

# move_at QUARTER NUMBER WHAT COMMAND...: once the client has QUARTER
# quarters of the download, with both streams in the middle, move (COMMAND)
# and wait for the client's NUMBERth migration.
move_at() {
  local quarter=$1 number=$2 what=$3 moved_at
  shift 3
  tb_wait_for_download $((MOVING_SIZE * quarter / 4))
  expect_mid_transfer
  test_say "   $what at $(progress)"
  moved_at=$(test_now_us)
  "$@"
  tb_wait_for_migration "$number"
  test_say "   $((($(test_now_us) - moved_at) / 1000)) ms after the move"
}

# move_both CLIENT_ADDR/PREFIX CLIENT_GW SERVER_ADDR/PREFIX SERVER_GW: both
# addresses go first, then both new ones come: no path in between.
move_both() {
  tb_drop_addresses "$TB_CLI" "$TB_CLI_DEV"
  tb_drop_addresses "$TB_SRV" "$TB_SRV_DEV"
  tb_move_server "$3" "$4"
  tb_move_client "$1" "$2"
}

# ---- 1. by name, through the relay ------------------------------------------
random_files "$SIZE"
start_server srv1.log
test_say "1. srv registered at $(tb_lookup "$MNAMED" srv | jq -c .addresses)"
tb_expect_no_way_in "$TB_NAT_A" "$TB_NAT_SRV_ADDR" 7000
tb_expect_no_way_in "$TB_NAT_B" "$TB_NAT_CLI_ADDR" 7000
test_say "   no way in: NAT A and NAT B drop connections from the public side"
started=$(test_now_us)
start_client "$SIZE"
test_say "   client: $(grep -m1 -o 'connected to .*' "$TEST_TMP/cli.log")"
tb_expect_transfer_done
ms=$(((TB_CLIENT_EXITED_US - started) / 1000))
test_say "1. $((SIZE >> 20)) MiB each way in $ms ms, connection included ($((2 * SIZE * 8 / 1000 / (ms + 1))) Mbit/s both ways together)"
# NAT A keeps source ports, NAT B draws them (when conntrack can be read).
read -r kept_a total_a < <(tb_nat_ports "$TB_NAT_A" | awk '$1 == $2 { kept++ } END { print kept + 0, NR }')
read -r kept_b total_b < <(tb_nat_ports "$TB_NAT_B" | awk '$1 == $2 { kept++ } END { print kept + 0, NR }')
if ((total_a > 0)); then
  test_say "   source ports kept: by NAT A $kept_a of $total_a connections, by NAT B (fully-random) $kept_b of $total_b"
  ((kept_a == total_a)) || test_fail "NAT A changed source ports: $(tb_nat_ports "$TB_NAT_A" | paste -sd,)"
  ((kept_b < total_b)) || test_fail "NAT B kept every source port: $(tb_nat_ports "$TB_NAT_B" | paste -sd,)"
fi
spliced=$(tb_relay_metric 1 mproxy_spliced_bytes_total)
((spliced >= 2 * SIZE)) || test_fail "the relay spliced only $spliced bytes of the $((2 * SIZE)) sent"
test_say "   relay: $(tb_relay_metric 1 mproxy_flows_total) flow(s) spliced, $spliced bytes; $(tb_relay_metric 1 mproxy_copied_bytes_total) control bytes"

# ---- 2. moves in the middle of a transfer -----------------------------------
tb_rate_limit "$TB_NAT_B" lan "$RATE"
tb_rate_limit "$TB_CLI" eth0 "$RATE"
random_files "$MOVING_SIZE"
start_server srv2.log
start_client "$MOVING_SIZE"
test_say "2. transfer started: $((MOVING_SIZE >> 20)) MiB each way at $RATE"
started=$(test_now_us)

# An address that comes and goes on the server, unused by its control
# channel, must leave the relay's flows alone: no takeover, no migration.
tb_wait_for_download $((MOVING_SIZE / 8))
takeovers=$(test_count_lines "$TEST_TMP/relay1.log" 'reserved again')
ip -n "$TB_SRV" addr add 10.230.4.2/24 dev "$TB_SRV_DEV"
ip -n "$TB_SRV" addr del 10.230.4.2/24 dev "$TB_SRV_DEV"
test_wait_for_line "$TEST_TMP/srv2.log" 'address removed addr=10.230.4.2' 10 || test_fail "the server did not see 10.230.4.2 go"
received=$(test_file_size "$TEST_TMP/cli.out")
tb_wait_for_download $((received + (1 << 20)))
(($(test_count_lines "$TEST_TMP/relay1.log" 'reserved again') == takeovers)) ||
  test_fail "an address the server added and removed made it reopen its control channel (the relay closed its flows)"
(($(test_count_lines "$TEST_TMP/cli.log" 'migrated conn=') == 0)) || test_fail "the client migrated with no move"
test_say "   10.230.4.2 added and removed on the server: the flow went on, no takeover, no migration"

move_at 1 1 "client moves 10.240.1.2 -> 10.240.2.2" tb_move_client 10.240.2.2/24 10.240.2.1
move_at 2 2 "server moves 10.230.1.2 -> 10.230.2.2" tb_move_server 10.230.2.2/24 10.230.2.1
move_at 3 3 "both move: client -> 10.240.3.2, server -> 10.230.3.2" move_both 10.240.3.2/24 10.240.3.1 10.230.3.2/24 10.230.3.1

tb_expect_transfer_done
ms=$(((TB_CLIENT_EXITED_US - started) / 1000))
tb_expect_migrations "$TEST_TMP/cli.json" 3
test_say "2. $((MOVING_SIZE >> 20)) MiB each way in $ms ms with 3 moves; recovery times (ms, cause):" \
  "$(jq -r '[.migrations[] | "\(.recovery_ms) \(.cause)"] | join(", ")' "$TEST_TMP/cli.json")"
test_say "   relay: $(tb_relay_metric 1 mproxy_flows_total) flow(s) spliced in all," \
  "$(tb_relay_metric 1 mproxy_spliced_bytes_total) bytes; $(grep -c 'reserved again' "$TEST_TMP/relay1.log" || true) takeover(s) of srv"
test_say "   NATs dropped $(tb_nat_dropped "$TB_NAT_A") (A) and $(tb_nat_dropped "$TB_NAT_B") (B) unsolicited packets"

# ---- 3. the server's NAT changes its public address ------------------------
# No address of the server's host changes, so nothing tells it: the flow's
# halves and the control channel die with NAT A's mappings, and the server
# learns it when its next renewal (every ttl/3, 10 s) is reset. Then it
# reserves again from the new address, the relay closes the old flow and
# the client migrates. The streams must stay exact.
random_files "$RENUMBER_SIZE"
start_server srv3.log
start_client "$RENUMBER_SIZE"
tb_wait_for_download $((RENUMBER_SIZE / 4))
expect_mid_transfer "$RENUMBER_SIZE"
test_say "3. NAT A's public address changes 10.220.0.21 -> 10.220.0.31 at $(progress)"
moved_at=$(test_now_us)
ip -n "$TB_NAT_A" addr del "$TB_NAT_A_WAN/24" dev wan
ip -n "$TB_NAT_A" addr add 10.220.0.31/24 dev wan
ip -n "$TB_NAT_A" route replace default via "$TB_PUB_ADDR"
ip -n "$TB_PUB" route replace 10.230.0.0/16 via 10.220.0.31
tb_wait_for_migration 1
test_say "   $((($(test_now_us) - moved_at) / 1000)) ms after the change"
tb_expect_transfer_done
tb_expect_migrations "$TEST_TMP/cli.json" 1
test_expect_grep "$TEST_TMP/relay1.log" 'srv reserved again from 10.220.0.31' "relay's log"

# ---- 7. the relay dials nobody but mnamed ----------------------------------
to_names=$(tb_connections_opened "${TB_RELAYS[0]}" to_names)
to_others=$(tb_connections_opened "${TB_RELAYS[0]}" to_others)
other_flows=$(tb_connections_opened "${TB_RELAYS[0]}" other_flows)
test_say "7. connections the relay opened: $to_names SYN(s) to mnamed, $to_others elsewhere; $other_flows other new flow(s)"
((to_names > 0)) || test_fail "the relay never asked mnamed who owns srv"
((to_others == 0 && other_flows == 0)) || test_fail "the relay opened connections other than to mnamed"
test_say "PASS"
