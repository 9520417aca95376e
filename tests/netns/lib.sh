# shellcheck shell=bash
# Testbed library for real-process tests in Linux network namespaces
# (DESIGN.md, "Testbed"). Sourced by tests/netns/*.sh and scripts/demo.sh.
# What every shell test needs (test_fail, test_say, the waits, the cleanup)
# is in tests/lib/common.sh; here is what namespaces add: topologies, moves,
# rate limits, processes started inside a namespace, the name service, and
# the checks of mbench's own testbeds.
#
#   source tests/netns/lib.sh
#   test_arguments MCAT -- "$@"
#   tb_require_root jq
#   tb_topology_client_router_server 80mbit
#   tb_spawn "$TB_SRV" 60 "$MCAT" -l -v -p 7000 <in >out 2>"$TEST_TMP/srv.log"
#   test_wait_for_line "$TEST_TMP/srv.log" 'listening on' 10
#   tb_move_client 10.200.3.2/24 10.200.3.1
#
# Every namespace name is unique to this run (prefix ms<pid>); test_cleanup
# deletes the namespaces this run created, and what runs in them, even on
# failure.

# shellcheck source=../lib/common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh" netns

TB_ID="ms$$"
TB_CLI="$TB_ID-cli"
TB_RTR="$TB_ID-rtr"
TB_SRV="$TB_ID-srv"
# Interface names inside the namespaces (each namespace has its own names).
TB_CLI_DEV=eth0        # client, faces the router
TB_RTR_CLI_DEV=to-cli  # router, faces the client (10.200.{1,3,4,5}.1/24)
TB_RTR_SRV_DEV=to-srv  # router, faces the server (10.200.2.1/24)
TB_SRV_DEV=eth0        # server, faces the router
TB_CLI_ADDR=10.200.1.2
TB_SRV_ADDR=10.200.2.2

TB_NAMESPACES=()
TB_PID=

# Skip (exit 77), or fail when MSOCKET_REQUIRE_NETNS=1 asks for these tests.
tb_skip_or_fail() {
  if [[ ${MSOCKET_REQUIRE_NETNS:-0} == 1 ]]; then
    printf 'ERROR: %s (MSOCKET_REQUIRE_NETNS=1, so this is a failure)\n' "$*" >&2
    exit 1
  fi
  printf 'SKIP: %s\n' "$*"
  exit 77
}

# Require root, working network namespaces and the commands the testbed uses.
tb_require_root() {
  if ((EUID != 0)); then
    tb_skip_or_fail "needs root for network namespaces"
  fi
  local cmd
  for cmd in ip tc timeout sha256sum "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || tb_skip_or_fail "needs the command '$cmd'"
  done
  if ! ip netns add "$TB_ID-probe" 2>/dev/null; then
    tb_skip_or_fail "cannot create network namespaces here"
  fi
  ip netns del "$TB_ID-probe"
}

# Create a namespace with loopback up; it is deleted by test_cleanup.
tb_netns_add() {
  local ns=$1
  ip netns del "$ns" 2>/dev/null || true
  ip netns add "$ns"
  TB_NAMESPACES+=("$ns")
  ip -n "$ns" link set lo up
}

# Three hosts in a line: cli -- rtr -- srv.
#   cli eth0   10.200.1.2/24, default via 10.200.1.1
#   rtr to-cli 10.200.1.1/24 + 10.200.3.1/24, 10.200.4.1/24, 10.200.5.1/24
#              (the subnets the client moves to, on the same link)
#   rtr to-srv 10.200.2.1/24 + 10.200.6.1/24, .7.1/24, .8.1/24 (the server's
#              subnets when it moves), forwarding on
#   srv eth0   10.200.2.2/24, default via 10.200.2.1
# Usage: tb_topology_client_router_server [RATE]; with RATE, both of the
# router's links are limited to it (tb_rate_limit).
tb_topology_client_router_server() {
  tb_netns_add "$TB_CLI"
  tb_netns_add "$TB_RTR"
  tb_netns_add "$TB_SRV"

  ip -n "$TB_CLI" link add "$TB_CLI_DEV" type veth peer name "$TB_RTR_CLI_DEV" netns "$TB_RTR"

  ip -n "$TB_CLI" addr add "$TB_CLI_ADDR/24" dev "$TB_CLI_DEV"
  ip -n "$TB_CLI" link set "$TB_CLI_DEV" up
  ip -n "$TB_CLI" route add default via 10.200.1.1 dev "$TB_CLI_DEV"

  local subnet
  for subnet in 1 3 4 5; do
    ip -n "$TB_RTR" addr add "10.200.$subnet.1/24" dev "$TB_RTR_CLI_DEV"
  done
  ip -n "$TB_RTR" link set "$TB_RTR_CLI_DEV" up
  tb_attach_server 2 6 7 8
  if [[ -n ${1:-} ]]; then
    tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" "$1"
    tb_rate_limit "$TB_RTR" "$TB_RTR_SRV_DEV" "$1"
  fi
}

# tb_attach_server SUBNET...: the server behind the router, forwarding on:
#   rtr to-srv 10.200.SUBNET.1/24 for each SUBNET -- srv eth0 10.200.2.2/24,
#   default via 10.200.2.1
tb_attach_server() {
  local subnet
  ip -n "$TB_SRV" link add "$TB_SRV_DEV" type veth peer name "$TB_RTR_SRV_DEV" netns "$TB_RTR"
  for subnet in "$@"; do
    ip -n "$TB_RTR" addr add "10.200.$subnet.1/24" dev "$TB_RTR_SRV_DEV"
  done
  ip -n "$TB_RTR" link set "$TB_RTR_SRV_DEV" up
  ip netns exec "$TB_RTR" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$TB_SRV" addr add "$TB_SRV_ADDR/24" dev "$TB_SRV_DEV"
  ip -n "$TB_SRV" link set "$TB_SRV_DEV" up
  ip -n "$TB_SRV" route add default via 10.200.2.1 dev "$TB_SRV_DEV"
}

# Two paths between client and router, as a phone's Wi-Fi and cellular:
#   cli eth0 10.210.1.2/24 -- rtr c0 10.210.1.1/24   (rate RATE0 both ways)
#   cli eth1 10.210.2.2/24 -- rtr c1 10.210.2.1/24   (rate RATE1 both ways)
#   rtr to-srv 10.200.2.1/24 -- srv eth0 10.200.2.2/24
# The client has a default route per interface (eth0 preferred), so a
# flowpath bound to eth1 leaves by eth1. Usage: tb_topology_two_paths RATE0 RATE1
TB_CLI_DEV1=eth1
tb_topology_two_paths() {
  local rates=("$1" "$2") i
  tb_netns_add "$TB_CLI"
  tb_netns_add "$TB_RTR"
  tb_netns_add "$TB_SRV"
  for i in 0 1; do
    ip -n "$TB_CLI" link add "eth$i" type veth peer name "c$i" netns "$TB_RTR"
    ip -n "$TB_CLI" addr add "10.210.$((i + 1)).2/24" dev "eth$i"
    ip -n "$TB_CLI" link set "eth$i" up
    ip -n "$TB_RTR" addr add "10.210.$((i + 1)).1/24" dev "c$i"
    ip -n "$TB_RTR" link set "c$i" up
    ip -n "$TB_CLI" route add default via "10.210.$((i + 1)).1" dev "eth$i" metric $((100 * (i + 1)))
    tc -n "$TB_RTR" qdisc replace dev "c$i" root tbf rate "${rates[i]}" burst 32kb latency 50ms
    tc -n "$TB_CLI" qdisc replace dev "eth$i" root tbf rate "${rates[i]}" burst 32kb latency 50ms
  done
  tb_attach_server 2
}

# tb_rate_limit NS DEV RATE: token-bucket limit on DEV's egress (tc tbf),
# e.g. tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 80mbit.
tb_rate_limit() {
  local ns=$1 dev=$2 rate=$3
  tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" burst 64kb latency 50ms
}

# ---- hosts behind NAT, relays on a public segment -------------------------

TB_PUB="$TB_ID-pub"    # the public segment: bridge br0, 10.220.0.1/24, routes to both NATs
TB_NAT_A="$TB_ID-nata" # the server's NAT
TB_NAT_B="$TB_ID-natb" # the client's NAT
TB_PUB_ADDR=10.220.0.1
TB_NAT_A_WAN=10.220.0.21
TB_NAT_B_WAN=10.220.0.22
TB_NAT_SRV_ADDR=10.230.1.2 # the server's first address behind NAT A
TB_NAT_CLI_ADDR=10.240.1.2 # the client's first address behind NAT B
TB_RELAYS=()      # the relays' namespaces ($TB_ID-relay1...)
TB_RELAY_ADDRS=() # and their addresses (10.220.0.11...)

# tb_topology_nat [RELAYS]: a server and a client, each behind a NAT that
# lets no connection in, and a public segment between the NATs with the
# name service's host and RELAYS (default 1) relay hosts:
#   pub    br0 10.220.0.1/24 (mnamed runs here: TB_NAMES_NS, :7700),
#          forwarding, routes to 10.230.0.0/16 via NAT A and 10.240.0.0/16
#          via NAT B (so that only the NATs' filters stop inbound traffic)
#   relayN eth0 10.220.0.1N/24 on br0, default via 10.220.0.1
#   nata   wan 10.220.0.21/24 on br0, default via 10.220.0.1;
#          lan 10.230.{1,2,3,4}.1/24; masquerade (port-preserving)
#   srv    eth0 10.230.1.2/24, default via 10.230.1.1 (moves within 10.230.{2,3,4}.0/24)
#   natb   wan 10.220.0.22/24 on br0, default via 10.220.0.1;
#          lan 10.240.{1,2,3,4}.1/24; masquerade fully-random
#   cli    eth0 10.240.1.2/24, default via 10.240.1.1 (moves within 10.240.{2,3,4}.0/24)
# Each NAT forwards from lan to wan and what belongs to a connection made
# from inside (ct state established,related); anything new from wan, to it
# or through it, is counted and dropped (tb_nat_dropped).
tb_topology_nat() {
  local relays=${1:-1} i
  tb_netns_add "$TB_PUB"
  ip -n "$TB_PUB" link add br0 type bridge
  ip -n "$TB_PUB" addr add "$TB_PUB_ADDR/24" dev br0
  ip -n "$TB_PUB" link set br0 up
  ip netns exec "$TB_PUB" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
    net.ipv4.conf.br0.send_redirects=0
  TB_NAMES_NS=$TB_PUB
  TB_NAMES_LISTEN=$TB_PUB_ADDR:7700
  TB_RELAYS=()
  TB_RELAY_ADDRS=()
  for ((i = 1; i <= relays; i++)); do
    TB_RELAYS+=("$TB_ID-relay$i")
    TB_RELAY_ADDRS+=("10.220.0.1$i")
    tb_netns_add "$TB_ID-relay$i"
    tb_public_host "$TB_ID-relay$i" eth0 "r$i" "10.220.0.1$i"
  done
  tb_nat_host "$TB_NAT_A" na "$TB_NAT_A_WAN" 10.230 "$TB_SRV" ""
  tb_nat_host "$TB_NAT_B" nb "$TB_NAT_B_WAN" 10.240 "$TB_CLI" fully-random
  ip -n "$TB_PUB" route add 10.230.0.0/16 via "$TB_NAT_A_WAN"
  ip -n "$TB_PUB" route add 10.240.0.0/16 via "$TB_NAT_B_WAN"
}

# tb_public_host NS DEV BRIDGE_PORT ADDR: NS's DEV on the public bridge
# (its other end BRIDGE_PORT), ADDR/24, default via the public segment.
tb_public_host() {
  local ns=$1 dev=$2 port=$3 address=$4
  ip -n "$ns" link add "$dev" type veth peer name "$port" netns "$TB_PUB"
  ip -n "$TB_PUB" link set "$port" master br0 up
  ip -n "$ns" addr add "$address/24" dev "$dev"
  ip -n "$ns" link set "$dev" up
  ip -n "$ns" route add default via "$TB_PUB_ADDR" dev "$dev"
}

# tb_nat_host NAT BRIDGE_PORT WAN_ADDR PREFIX HOST MASQUERADE_OPTION: the
# router NAT (wan on the public bridge, lan PREFIX.{1,2,3,4}.1/24) and
# behind it HOST (eth0 PREFIX.1.2/24). MASQUERADE_OPTION: "" keeps source
# ports where it can, "fully-random" draws every one.
tb_nat_host() {
  local nat=$1 port=$2 wan=$3 prefix=$4 host=$5 option=$6 subnet
  tb_netns_add "$nat"
  tb_netns_add "$host"
  tb_public_host "$nat" wan "$port" "$wan"
  ip -n "$host" link add eth0 type veth peer name lan netns "$nat"
  for subnet in 1 2 3 4; do
    ip -n "$nat" addr add "$prefix.$subnet.1/24" dev lan
  done
  ip -n "$nat" link set lan up
  ip netns exec "$nat" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$host" addr add "$prefix.1.2/24" dev eth0
  ip -n "$host" link set eth0 up
  ip -n "$host" route add default via "$prefix.1.1" dev eth0
  ip netns exec "$nat" nft -f - <<NFT
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade $option
  }
}
table inet filter {
  counter unsolicited {}
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
    iifname "wan" counter name unsolicited drop
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" counter name unsolicited drop
  }
}
NFT
}

# tb_nat_dropped NAT: packets from the public side that NAT dropped
# because they belonged to no connection made from inside.
tb_nat_dropped() {
  ip netns exec "$1" nft -j list counter inet filter unsolicited |
    jq '[.nftables[] | select(.counter) | .counter.packets] | add // 0'
}

# tb_nat_ports NAT: one line "INSIDE_PORT OUTSIDE_PORT" per TCP connection
# from behind NAT (10.230/16, 10.240/16) that it has translated (from its
# conntrack table; nothing if the kernel has no /proc/net/nf_conntrack).
tb_nat_ports() {
  ip netns exec "$1" cat /proc/net/nf_conntrack 2>/dev/null | awk '$3 == "tcp" {
    n = 0
    for (i = 1; i <= NF; i++) if ($i ~ /^(sport|dport|src)=/) value[++n] = $i
    # src, sport, dport of the original direction, then of the reply,
    # whose dport is the port the NAT chose
    if (value[1] ~ /^src=10\.2[34]0\./) { sub("sport=", "", value[2]); sub("dport=", "", value[6]); print value[2], value[6] }
  }'
}

# tb_expect_no_way_in NAT ADDR PORT: a connection from the public segment
# to ADDR:PORT behind NAT (routed there) does not get through; its SYNs are
# dropped by NAT.
tb_expect_no_way_in() {
  local nat=$1 address=$2 port=$3 before
  before=$(tb_nat_dropped "$nat")
  if ip netns exec "$TB_PUB" timeout 1 bash -c "exec 3<>/dev/tcp/$address/$port" 2>/dev/null; then
    test_fail "a connection from the public side reached $address:$port behind ${nat#"$TB_ID-"}"
  fi
  (($(tb_nat_dropped "$nat") > before)) || test_fail "${nat#"$TB_ID-"} did not drop the connection to $address:$port"
}

# tb_watch_connections NS NAMES_ADDR: count in NS's output chain the TCP
# connections NS opens, to NAMES_ADDR and to anywhere else, and every other
# new flow it starts off loopback (tb_connections_opened reads them).
tb_watch_connections() {
  ip netns exec "$1" nft -f - <<NFT
table inet watch {
  counter to_names {}
  counter to_others {}
  counter other_flows {}
  chain output {
    type filter hook output priority filter; policy accept;
    oifname "lo" accept
    ct state new meta l4proto tcp ip daddr $2 counter name to_names accept
    ct state new meta l4proto tcp counter name to_others accept
    ct state new counter name other_flows accept
  }
}
NFT
}

# tb_connections_opened NS COUNTER: packets that COUNTER (to_names,
# to_others, other_flows) of tb_watch_connections counted: one per new flow.
tb_connections_opened() {
  ip netns exec "$1" nft -j list counter inet watch "$2" | jq '[.nftables[] | select(.counter) | .counter.packets] | add // 0'
}

# tb_readdress NS DEV NEWADDR/PREFIX GW: delete DEV's global IPv4
# address(es), then add the new one and a default route via GW, as a phone
# that changes network does. One ip(8) process for the address and its
# default route, as DHCP sets both at once: the recovery clock starts at the
# new address, and a second process start would add its own milliseconds to
# every measurement.
tb_readdress() {
  local ns=$1 dev=$2 new=$3 gateway=$4
  tb_drop_addresses "$ns" "$dev"
  printf 'addr add %s dev %s\nroute replace default via %s dev %s\n' \
    "$new" "$dev" "$gateway" "$dev" | ip -n "$ns" -batch -
}

# tb_drop_addresses NS DEV: delete DEV's global IPv4 address(es).
tb_drop_addresses() {
  local ns=$1 dev=$2 address
  for address in $(ip -n "$ns" -4 -o addr show dev "$dev" scope global | awk '{ print $4 }'); do
    ip -n "$ns" addr del "$address" dev "$dev"
  done
}

# tb_move_server NEWADDR/PREFIX GW: as tb_move_client, for the server. The
# router has the server-side subnets 10.200.2.0/24, .6.0/24, .7.0/24, .8.0/24.
tb_move_server() { tb_readdress "$TB_SRV" "$TB_SRV_DEV" "$1" "$2"; }

# The client's current global IPv4 address(es), without prefix length.
tb_client_addr() {
  ip -n "$TB_CLI" -4 -o addr show dev "$TB_CLI_DEV" scope global |
    awk '{ sub("/.*", "", $4); print $4 }' | paste -sd, -
}

# tb_move_client NEWADDR/PREFIX GW: move the client (tb_readdress) and say so.
tb_move_client() {
  local old
  old=$(tb_client_addr)
  tb_readdress "$TB_CLI" "$TB_CLI_DEV" "$1" "$2"
  test_say "client moved ${old:-nothing} -> ${1%/*}"
}

# tb_spawn NS SECONDS CMD [ARGS...]: start CMD in namespace NS, in the
# background, killed after SECONDS. Redirections on the call apply to CMD
# (stdin included). Sets TB_PID; test_cleanup stops it if it is still running.
tb_spawn() {
  local ns=$1 seconds=$2
  shift 2
  # `<&0`: a background command otherwise gets /dev/null as stdin.
  ip netns exec "$ns" timeout -k 5 "$seconds" "$@" <&0 {TEST_OUT}>&- {TEST_ERR}>&- &
  TB_PID=$!
  test_track "$TB_PID"
}

# tb_kill_tree SIGNAL PID: send SIGNAL to the program a tb_spawn started
# (which runs under timeout, a child of PID) and then to PID itself.
tb_kill_tree() {
  local signal=$1 pid=$2 child
  for child in $(pgrep -P "$pid" 2>/dev/null); do
    pkill "-$signal" -P "$child" 2>/dev/null || true
    kill "-$signal" "$child" 2>/dev/null || true
  done
  kill "-$signal" "$pid" 2>/dev/null || true
}

# True if something listens on TCP PORT in namespace NS.
tb_listening() {
  ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q .
}

# tb_wait_for_listen NS PORT SECONDS: wait for a TCP listener on PORT in NS.
tb_wait_for_listen() { test_wait_until "$3" tb_listening "$1" "$2"; }

# tb_expect_migrations STATS_JSON COUNT [CAUSE]: the `mcat --stats` file
# lists exactly COUNT migrations, each with its recovery time (and of cause
# CAUSE).
tb_expect_migrations() {
  [[ -s $1 ]] || test_fail "no stats file ${1##*/}"
  jq -e --argjson count "$2" --arg cause "${3:-}" '(.migrations | length) == $count and
      all(.migrations[]; (.recovery_ms | type) == "number" and ($cause == "" or .cause == $cause))' "$1" >/dev/null ||
    test_fail "${1##*/}: expected $2 migrations${3:+ of cause $3}, got $(head -c 600 "$1")"
}

# tb_path_bytes STATS_JSON PATH: bytes received on flowpath PATH (mcat --stats).
tb_path_bytes() { jq --argjson path "$2" '[.paths[] | select(.path == $path) | .bytes_received] | add // 0' "$1"; }

# tb_start_transfer UP_BYTES DOWN_BYTES RATE [SERVER_OPTION...]: the usual
# scene of a test. Builds the client-router-server topology with RATE on both
# router links, makes random input files up.bin and down.bin, starts
# `mcat -l -p 7000` on the server (with SERVER_OPTION..., default -v) and the
# client, both with --stats, and waits until they are connected. Sets
# TB_SERVER and TB_CLIENT (pids), TB_PORT; files in $TEST_TMP: {srv,cli}.{out,log,json}.
tb_start_transfer() {
  local up=$1 down=$2 rate=$3
  shift 3
  local server_options=("$@")
  ((${#server_options[@]})) || server_options=(-v)
  TB_PORT=7000
  tb_topology_client_router_server "$rate"
  test_random_file "$TEST_TMP/up.bin" "$up"
  test_random_file "$TEST_TMP/down.bin" "$down"
  tb_spawn "$TB_SRV" 120 "$MCAT" -l "${server_options[@]}" -p "$TB_PORT" --stats "$TEST_TMP/srv.json" \
    <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out" 2>"$TEST_TMP/srv.log"
  TB_SERVER=$TB_PID
  test_wait_for_line "$TEST_TMP/srv.log" "listening on .*:$TB_PORT" 10 || test_fail "server never said 'listening on'"
  tb_start_exchange_client 120 "$down" -v "$TB_SRV_ADDR" "$TB_PORT"
  test_wait_for_line "$TEST_TMP/cli.log" 'connected to ' 10 || test_fail "client never said 'connected to'"
}

# tb_start_download DELAY [SERVER_OPTION...] -- [CLIENT_OPTION...]: a
# download of down.bin (the test makes it) from `mcat -l -v -p 7000
# SERVER_OPTION...`, which sends it DELAY seconds after its start (once
# every flowpath is up), to `mcat -v CLIENT_OPTION...` connecting to the
# server's address (tb_start_client, with nothing to send: up.bin is empty).
# Waits for the listener; sets TB_SERVER and TB_CLIENT.
tb_start_download() {
  local delay=$1 server_options=()
  shift
  while [[ $1 != -- ]]; do server_options+=("$1"); shift; done
  shift
  : >"$TEST_TMP/up.bin"
  tb_spawn "$TB_SRV" 90 "$MCAT" -l -v -p 7000 "${server_options[@]}" \
    < <(sleep "$delay"; cat "$TEST_TMP/down.bin") >"$TEST_TMP/srv.out" 2>"$TEST_TMP/srv.log"
  TB_SERVER=$TB_PID
  tb_wait_for_listen "$TB_SRV" 7000 10 || test_fail "the server did not listen"
  # --recv-only: the client's empty input would end the connection at the
  # listener before the download (ncat's end-of-file rules).
  tb_start_client 90 -v --recv-only "$@" "$TB_SRV_ADDR" 7000
}

# tb_start_client SECONDS MCAT_ARGUMENT...: mcat in the client namespace with
# --stats cli.json, stdin up.bin, stdout cli.out, stderr cli.log. Sets TB_CLIENT.
tb_start_client() {
  local seconds=$1
  shift
  tb_spawn "$TB_CLI" "$seconds" "$MCAT" --stats "$TEST_TMP/cli.json" "$@" \
    <"$TEST_TMP/up.bin" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
  TB_CLIENT=$TB_PID
}

# tb_start_exchange_client SECONDS DOWN_BYTES MCAT_ARGUMENT...: as
# tb_start_client, for an exchange both ways at once. Under ncat's
# end-of-file rules the listener ends the connection at the client's end of
# file and a client exits at the listener's: so the client has -k (it goes
# on sending after the listener's end of file) and its input, up.bin, stays
# open until it has received DOWN_BYTES (SECONDS at most).
tb_start_exchange_client() {
  local seconds=$1 down=$2
  shift 2
  tb_spawn "$TB_CLI" "$seconds" "$MCAT" --stats "$TEST_TMP/cli.json" -k "$@" \
    < <(cat "$TEST_TMP/up.bin"; test_wait_for_size "$TEST_TMP/cli.out" "$down" "$seconds" || true) \
    >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
  TB_CLIENT=$TB_PID
}

# tb_wait_for_download BYTES: wait (60 s at most) until the client of the
# scene (TB_CLIENT, its stdout in cli.out) has received BYTES; fail if not.
tb_wait_for_download() {
  test_wait_for_size "$TEST_TMP/cli.out" "$1" 60 "$TB_CLIENT" ||
    test_fail "the client received only $(test_file_size "$TEST_TMP/cli.out") of the $1 bytes awaited"
}

# tb_wait_for_migration COUNT [CAUSE]: wait (30 s at most) until the
# client's log (cli.log) has COUNT `migrated` lines (of cause CAUSE), and say
# the last; fail if not.
tb_wait_for_migration() {
  test_wait_for_count "$TEST_TMP/cli.log" "migrated conn=.*cause=${2:-}" "$1" 30 ||
    test_fail "the client logged no migration $1${2:+ of cause $2}"
  test_say "  resumed: $(tb_last_migration)"
}

# tb_expect_transfer_done: both ends of the scene exit 0 and both streams
# arrived intact. Sets TB_CLIENT_EXITED_US, when the client was seen to exit
# (test_now_us), for a test that times the transfer.
tb_expect_transfer_done() {
  test_expect_exit "$TB_CLIENT" client
  TB_CLIENT_EXITED_US=$(test_now_us)
  test_expect_exit "$TB_SERVER" server
  test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> server"
  test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "server -> client"
}

# tb_last_migration: the client's latest `migrated ...` log line, for the narrative.
tb_last_migration() { grep -E 'migrated conn=' "$TEST_TMP/cli.log" | tail -n 1 | sed 's/.*migrated/migrated/'; }

# ---- the name service -------------------------------------------------------

# Where tb_start_names runs mnamed: the router namespace (reachable from both
# sides whatever their addresses), unless a topology says otherwise
# (tb_topology_nat: the public segment).
TB_NAMES_NS=
TB_NAMES_LISTEN=10.200.2.1:7700

# tb_start_names MNAMED [SERVE_OPTION...]: the name service in $TB_NAMES_NS
# (the router's by default), with its data in $TEST_TMP/names, and a key for
# the name "srv" in $TEST_TMP/srv.key. Sets TB_NAMES (the URL) and TB_MNAMED
# (pid); its log is $TEST_TMP/mnamed.log.
tb_start_names() {
  TB_NAMES=http://$TB_NAMES_LISTEN
  "$1" keygen --out "$TEST_TMP/srv.key" >/dev/null || test_fail "mnamed keygen failed"
  tb_serve_names "$@"
  TB_MNAMED=$TB_PID
}

# tb_serve_names MNAMED [SERVE_OPTION...]: (re)start mnamed on the data of tb_start_names.
tb_serve_names() {
  tb_spawn "${TB_NAMES_NS:-$TB_RTR}" 300 "$1" serve -v --listen "$TB_NAMES_LISTEN" --data-dir "$TEST_TMP/names" \
    "${@:2}" 2>>"$TEST_TMP/mnamed.log"
  tb_wait_for_listen "${TB_NAMES_NS:-$TB_RTR}" "${TB_NAMES_LISTEN##*:}" 10 || test_fail "mnamed did not start"
}

# tb_lookup MNAMED NAME: the record of NAME as one line of JSON (empty if none).
tb_lookup() {
  ip netns exec "${TB_NAMES_NS:-$TB_RTR}" timeout 10 "$1" lookup --server "$TB_NAMES" "$2" 2>/dev/null || true
}

# tb_start_named_server SECONDS [MCAT_OPTION...]: `mcat -l -v -p 7000` in the
# server namespace, registered as "srv" with the service of tb_start_names;
# stdin and stdout are the call's, stderr $TEST_TMP/srv.log. Waits for the
# registration; sets TB_SERVER.
tb_start_named_server() {
  local seconds=$1
  shift
  tb_spawn "$TB_SRV" "$seconds" "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TEST_TMP/srv.key" \
    -p 7000 "$@" <&0 2>"$TEST_TMP/srv.log"
  TB_SERVER=$TB_PID
  test_wait_for_line "$TEST_TMP/srv.log" 'registered srv at 10.200.2.2:7000' 10 ||
    test_fail "the server did not register"
}

# tb_start_named_transfer BYTES [CLIENT_OPTION...]: the scene of
# tb_start_transfer by name, on a topology with tb_start_names: BYTES of
# random data each way (up.bin, down.bin) between a server registered as
# "srv" and a client that connects to "srv", both with --stats; waits until
# they are connected. Sets TB_SERVER and TB_CLIENT.
tb_start_named_transfer() {
  local bytes=$1
  shift
  test_random_file "$TEST_TMP/up.bin" "$bytes"
  test_random_file "$TEST_TMP/down.bin" "$bytes"
  tb_start_named_server 120 --stats "$TEST_TMP/srv.json" <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out"
  tb_start_exchange_client 120 "$bytes" -v "$@" --names "$TB_NAMES" srv
  test_wait_for_line "$TEST_TMP/cli.log" 'connected to 10.200.2.2:7000' 10 || test_fail "the client did not connect"
}

# tb_start_relay MPROXY INDEX [OPTION...]: `mproxy -v` in relay INDEX's
# namespace (tb_topology_nat), on ITS_ADDR:7800, asking the name service of
# tb_start_names who owns a name, with metrics on ITS_ADDR:9100; stderr in
# $TEST_TMP/relayINDEX.log. Waits until it listens; sets TB_RELAY_PID.
tb_start_relay() {
  local mproxy=$1 index=$2
  shift 2
  local address=${TB_RELAY_ADDRS[index - 1]}
  tb_spawn "${TB_RELAYS[index - 1]}" 170 "$mproxy" -v --listen "$address:7800" --names "$TB_NAMES" \
    --metrics "$address:9100" "$@" </dev/null 2>"$TEST_TMP/relay$index.log"
  TB_RELAY_PID=$TB_PID
  test_wait_for_line "$TEST_TMP/relay$index.log" "mproxy: listening on $address:7800" 10 ||
    test_fail "relay $index never said 'listening on'"
}

# tb_relay_metric INDEX METRIC: the value of METRIC (a Prometheus sample
# name, labels included, e.g. 'mproxy_refusals_total{reason="full"}') that
# relay INDEX serves, read from the public segment (so that the relay's own
# counted connections stay its own).
tb_relay_metric() {
  ip netns exec "$TB_PUB" curl -fsS --max-time 5 "http://${TB_RELAY_ADDRS[$1 - 1]}:9100/" |
    awk -v name="$2" '$1 == name { print $2; found = 1 } END { if (!found) print "none" }'
}

# ---- mbench's own testbeds --------------------------------------------------

# tb_expect_mbench_gone PID SUBCOMMAND: nothing of the mbench run PID is
# left: no namespace mbench-PID-*, no device mbPID*, no temporary directory
# mbench-SUBCOMMAND.* in $TEST_TMP (mbench ran with TMPDIR=$TEST_TMP).
tb_expect_mbench_gone() {
  local pid=$1 subcommand=$2
  if ip netns list | grep -q "^mbench-$pid-"; then test_fail "namespaces of mbench $pid were left: $(ip netns list)"; fi
  if ip -o link show | grep -q ": mb${pid}[a-z]"; then test_fail "devices of mbench $pid were left"; fi
  if compgen -G "$TEST_TMP/mbench-$subcommand.*" >/dev/null; then test_fail "a temporary directory was left"; fi
}

# tb_run_mbench_quick NAME SECONDS SUBCOMMAND [ARGS...]: `$MBENCH SUBCOMMAND
# [ARGS...] --quick --json NAME.json --csv NAME.csv` (test_run: its table in
# NAME.out, stderr in NAME.log), with its temporary files in $TEST_TMP, must
# exit 0 within SECONDS and leave nothing behind; prints its table.
tb_run_mbench_quick() {
  local name=$1 seconds=$2 subcommand=$3
  shift 2
  test_run "$name" 0 "$seconds" env TMPDIR="$TEST_TMP" "$MBENCH" "$@" --quick \
    --json "$TEST_TMP/$name.json" --csv "$TEST_TMP/$name.csv"
  tb_expect_mbench_gone "$TEST_RUN_PID" "$subcommand"
  test_say "mbench $* --quick: done, nothing left behind"
  sed 's/^/    /' "$TEST_TMP/$name.out"
}

# tb_expect_mbench_interrupted PROGRESS_REGEX SETTLE_SECONDS SUBCOMMAND [ARGS...]:
# Ctrl-C in the middle of a run of `$MBENCH SUBCOMMAND [ARGS...]`: once its
# stderr ($TEST_TMP/interrupted.log) matches PROGRESS_REGEX, and
# SETTLE_SECONDS later (everything is up), SIGINT; mbench must exit 130 and
# leave nothing behind.
tb_expect_mbench_interrupted() {
  local progress=$1 settle=$2 subcommand=$3
  shift 2
  test_start interrupted 60 env TMPDIR="$TEST_TMP" "$MBENCH" "$@"
  test_wait_for_line "$TEST_TMP/interrupted.log" "$progress" 30 || test_fail "mbench $* did not get under way"
  sleep "$settle"
  kill -INT "$TEST_RUN_PID"
  test_finish 130
  tb_expect_mbench_gone "$TEST_RUN_PID" "$subcommand"
  test_say "Ctrl-C: exit 130, namespaces and files removed"
}

# ---- what an attack costs a listener ----------------------------------------

# tb_start_listener SECONDS MCAT_ARGUMENT...: `mcat -l -v -p 7000
# ARGUMENT...` in the server namespace, with the call's stdin and stdout and
# stderr in $TEST_TMP/srv.log; waits until it listens. Sets TB_SERVER (the
# `timeout` around it) and TB_LISTENER (mcat itself, whose memory and
# children a test can watch).
tb_start_listener() {
  local seconds=$1
  shift
  tb_spawn "$TB_SRV" "$seconds" "$MCAT" -l -v -p 7000 "$@" <&0 2>"$TEST_TMP/srv.log"
  TB_SERVER=$TB_PID
  test_wait_for_line "$TEST_TMP/srv.log" 'listening on .*:7000' 10 || test_fail "the listener never said 'listening on'"
  TB_LISTENER=$(test_child_pid "$TB_SERVER")
}

# tb_status_kib PID FIELD: a memory figure of /proc/PID/status in KiB
# (VmRSS: resident now, VmHWM: resident at its peak); 0 once PID is gone.
tb_status_kib() { awk -v field="$2:" '$1 == field { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# tb_children PID: how many processes PID has started and not reaped.
tb_children() { pgrep -c -P "$1" 2>/dev/null || true; }

# tb_watch_program PID FILE: every 0.1 s, until PID exits, one line
# "RSS_KIB CHILDREN" of PID appended to FILE, in the background (tracked;
# test_cleanup stops it). Sets TB_WATCH_PID.
tb_watch_program() {
  local pid=$1 file=$2
  (
    while test_running "$pid"; do
      echo "$(tb_status_kib "$pid" VmRSS) $(tb_children "$pid")" >>"$file"
      sleep 0.1
    done
  ) {TEST_OUT}>&- {TEST_ERR}>&- &
  TB_WATCH_PID=$!
  test_track "$TB_WATCH_PID"
}

# tb_watch_max FILE COLUMN: the largest value of COLUMN (1: RSS in KiB, 2:
# children) that tb_watch_program wrote to FILE.
tb_watch_max() { awk -v column="$2" 'BEGIN { max = 0 } $column > max { max = $column } END { print max }' "$1"; }

# Kill what is left in this run's namespaces, then delete them.
tb_remove_namespaces() {
  local ns pid
  for ns in "${TB_NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null
    done
  done
  wait 2>/dev/null
  for ns in "${TB_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
}
TEST_CLEANUP_HOOKS+=(tb_remove_namespaces)

# tb_check_timeline_chart DIR NAME JSON CSV [EVENT]: DIR/NAME.png and .svg
# were drawn from DIR/NAME.gp, whose timeline data blocks ($timelineN:
# seconds, payload, each device's bytes received so far) only grow; its
# title names the testbed of JSON's settings; with EVENT (e.g. "wifi
# address deleted"), every panel marks it with a labelled line.
tb_check_timeline_chart() {
  local dir=$1 name=$2 json=$3 csv=$4 event=${5:-}
  [[ $(head -c 8 "$dir/$name.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || test_fail "$name.png is not a PNG"
  grep -q '<svg' "$dir/$name.svg" || test_fail "$name.svg is not an SVG"
  test_check_report "$json" "$csv" "$dir/$name.gp" "$event" <<'PY'
script, event = open(arguments[0]).read(), arguments[1]
testbed = report["settings"]["testbed"]
assert testbed and "testbed: " + testbed in script, ("the title does not name the testbed", testbed)
blocks, current = [], None
for line in script.splitlines():
    if line.startswith("$timeline") and line.endswith("<< EOD"):
        current = []
        blocks.append(current)
    elif line == "EOD":
        current = None
    elif current is not None:
        current.append([float(value) for value in line.split()[:4]])
assert blocks, "no timeline in " + arguments[0]
for rows in blocks:
    assert len(rows) > 2 and rows[0][:4] == [0, 0, 0, 0], rows[:2]
    for column in range(4):
        values = [row[column] for row in rows]
        assert all(b >= a for a, b in zip(values, values[1:])), ("falls", column, values)
    assert rows[-1][1] > 0, rows[-1]
if event:
    labels = script.count('set label "%s at ' % event)
    assert labels == len(blocks), ("loss marks", labels, "panels", len(blocks))
    assert script.count("set arrow from") >= labels
print("%s: %d timeline panel(s), all growing; title names the testbed (%s)%s" % (
    arguments[0].split("/")[-1], len(blocks), testbed, "; loss marked: " + event if event else ""))
PY
}
