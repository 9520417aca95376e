# shellcheck shell=bash
# Testbed library for real-process tests in Linux network namespaces
# (DESIGN.md, "Testbed"). Sourced by tests/netns/*.sh and scripts/demo.sh.
#
#   source tests/netns/lib.sh
#   tb_require_root
#   tb_topology_client_router_server
#   tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 80mbit
#   tb_spawn "$TB_SRV" 60 "$MCAT" -l -v -p 7000 <in >out 2>"$TB_TMP/srv.log"
#   tb_wait_for_line "$TB_TMP/srv.log" 'listening on' 10
#   tb_move_client 10.200.3.2/24 10.200.3.1
#
# Rules kept here so that tests need not repeat them:
#  - every namespace name is unique to this run (prefix ms<pid>);
#  - every process is started under `timeout`, every wait has a deadline;
#  - tb_cleanup (trapped on EXIT, INT and TERM) stops the processes this run
#    started, by pid, and deletes the namespaces it created, even on failure.

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
TB_PIDS=()
TB_PID=
TB_FAILED=0
TB_CLEANED=0
TB_T0=${EPOCHREALTIME/./}
TB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/msocket-netns.XXXXXX")

# Microseconds since the epoch.
tb_now_us() { echo "${EPOCHREALTIME/./}"; }

# Seconds since the library was sourced, with millisecond precision.
tb_elapsed() {
  local us=$(( $(tb_now_us) - TB_T0 ))
  printf '%d.%03d' $((us / 1000000)) $(((us / 1000) % 1000))
}

# Print a narrative line with the elapsed time.
tb_say() { printf '[%7ss] %s\n' "$(tb_elapsed)" "$*"; }

# Fail the test: print the reason and the tail of every log, exit 1.
tb_fail() {
  TB_FAILED=1
  printf 'FAIL: %s\n' "$*" >&2
  local log
  for log in "$TB_TMP"/*.log; do
    [[ -f $log ]] || continue
    printf -- '----- %s (last 40 lines) -----\n' "${log##*/}" >&2
    tail -n 40 "$log" >&2
  done
  exit 1
}

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

# Require an executable file (the binary under test), else fail.
tb_require_exe() {
  [[ -n ${1:-} && -x $1 ]] || tb_fail "not an executable: '${1:-}'"
}

# Create a namespace with loopback up; it is deleted by tb_cleanup.
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
tb_topology_client_router_server() {
  tb_netns_add "$TB_CLI"
  tb_netns_add "$TB_RTR"
  tb_netns_add "$TB_SRV"

  ip -n "$TB_CLI" link add "$TB_CLI_DEV" type veth peer name "$TB_RTR_CLI_DEV" netns "$TB_RTR"
  ip -n "$TB_SRV" link add "$TB_SRV_DEV" type veth peer name "$TB_RTR_SRV_DEV" netns "$TB_RTR"

  ip -n "$TB_CLI" addr add "$TB_CLI_ADDR/24" dev "$TB_CLI_DEV"
  ip -n "$TB_CLI" link set "$TB_CLI_DEV" up
  ip -n "$TB_CLI" route add default via 10.200.1.1 dev "$TB_CLI_DEV"

  local subnet
  for subnet in 1 3 4 5; do
    ip -n "$TB_RTR" addr add "10.200.$subnet.1/24" dev "$TB_RTR_CLI_DEV"
  done
  for subnet in 2 6 7 8; do
    ip -n "$TB_RTR" addr add "10.200.$subnet.1/24" dev "$TB_RTR_SRV_DEV"
  done
  ip -n "$TB_RTR" link set "$TB_RTR_CLI_DEV" up
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
  ip -n "$TB_SRV" link add "$TB_SRV_DEV" type veth peer name "$TB_RTR_SRV_DEV" netns "$TB_RTR"
  ip -n "$TB_RTR" addr add 10.200.2.1/24 dev "$TB_RTR_SRV_DEV"
  ip -n "$TB_RTR" link set "$TB_RTR_SRV_DEV" up
  ip netns exec "$TB_RTR" sysctl -qw net.ipv4.ip_forward=1
  ip -n "$TB_SRV" addr add "$TB_SRV_ADDR/24" dev "$TB_SRV_DEV"
  ip -n "$TB_SRV" link set "$TB_SRV_DEV" up
  ip -n "$TB_SRV" route add default via 10.200.2.1 dev "$TB_SRV_DEV"
}

# tb_move_server NEWADDR/PREFIX GW: as tb_move_client, for the server. The
# router has the server-side subnets 10.200.2.0/24, .6.0/24, .7.0/24, .8.0/24.
tb_move_server() {
  local new=$1 gateway=$2 address
  for address in $(ip -n "$TB_SRV" -4 -o addr show dev "$TB_SRV_DEV" scope global | awk '{ print $4 }'); do
    ip -n "$TB_SRV" addr del "$address" dev "$TB_SRV_DEV"
  done
  printf 'addr add %s dev %s\nroute replace default via %s dev %s\n' \
    "$new" "$TB_SRV_DEV" "$gateway" "$TB_SRV_DEV" | ip -n "$TB_SRV" -batch -
}

# tb_start_names MNAMED: the name service in the router namespace (reachable
# from both sides whatever their addresses), with its data in $TB_TMP/names,
# and a key for the name "srv" in $TB_TMP/srv.key. Sets TB_NAMES (the URL)
# and TB_MNAMED (pid); its log is $TB_TMP/mnamed.log.
tb_start_names() {
  local mnamed=$1
  TB_NAMES=http://10.200.2.1:7700
  "$mnamed" keygen --out "$TB_TMP/srv.key" >/dev/null || tb_fail "mnamed keygen failed"
  tb_spawn "$TB_RTR" 300 "$mnamed" serve -v --listen 10.200.2.1:7700 --data-dir "$TB_TMP/names" \
    2>>"$TB_TMP/mnamed.log"
  TB_MNAMED=$TB_PID
  tb_wait_for_listen "$TB_RTR" 7700 10 || tb_fail "mnamed did not start"
}

# tb_lookup MNAMED NAME: the record of NAME as one line of JSON (empty if none).
tb_lookup() {
  ip netns exec "$TB_RTR" timeout 10 "$1" lookup --server "$TB_NAMES" "$2" 2>/dev/null || true
}

# tb_rate_limit NS DEV RATE: token-bucket limit on DEV's egress (tc tbf),
# e.g. tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" 80mbit.
tb_rate_limit() {
  local ns=$1 dev=$2 rate=$3
  tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" burst 64kb latency 50ms
}

# The client's current global IPv4 address(es), without prefix length.
tb_client_addr() {
  ip -n "$TB_CLI" -4 -o addr show dev "$TB_CLI_DEV" scope global |
    awk '{ sub("/.*", "", $4); print $4 }' | paste -sd, -
}

# tb_move_client NEWADDR/PREFIX GW: move the client as a phone does: delete
# its current address(es), then add the new one and a default route via GW.
tb_move_client() {
  local new=$1 gateway=$2 old address
  old=$(tb_client_addr)
  for address in $(ip -n "$TB_CLI" -4 -o addr show dev "$TB_CLI_DEV" scope global | awk '{ print $4 }'); do
    ip -n "$TB_CLI" addr del "$address" dev "$TB_CLI_DEV"
  done
  # One ip(8) process for the address and its default route, as DHCP sets
  # both at once: the recovery clock starts at the new address, and a second
  # process start would add its own milliseconds to every measurement.
  printf 'addr add %s dev %s\nroute replace default via %s dev %s\n' \
    "$new" "$TB_CLI_DEV" "$gateway" "$TB_CLI_DEV" | ip -n "$TB_CLI" -batch -
  tb_say "client moved ${old:-nothing} -> ${new%/*}"
}

# tb_spawn NS SECONDS CMD [ARGS...]: start CMD in namespace NS, in the
# background, killed after SECONDS. Redirections on the call apply to CMD
# (stdin included). Sets TB_PID; tb_cleanup stops it if it is still running.
tb_spawn() {
  local ns=$1 seconds=$2
  shift 2
  # `<&0`: a background command otherwise gets /dev/null as stdin.
  ip netns exec "$ns" timeout -k 5 "$seconds" "$@" <&0 &
  TB_PID=$!
  TB_PIDS+=("$TB_PID")
}

# tb_wait_pid PID: wait for a process started by tb_spawn; returns its status
# (124 if its timeout expired). Bounded by that timeout.
tb_wait_pid() {
  local pid=$1 status=0 i
  wait "$pid" || status=$?
  for i in "${!TB_PIDS[@]}"; do
    [[ ${TB_PIDS[$i]} == "$pid" ]] && unset 'TB_PIDS[i]'
  done
  return "$status"
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

# True while PID (started by tb_spawn) runs.
tb_running() { kill -0 "$1" 2>/dev/null; }

# tb_wait_for_count FILE REGEX COUNT TIMEOUT: wait until FILE has at least
# COUNT lines matching the extended REGEX. Returns 1 after TIMEOUT seconds.
tb_wait_for_count() {
  local file=$1 regex=$2 count=$3 timeout=$4 found deadline
  deadline=$(( $(tb_now_us) + timeout * 1000000 ))
  while :; do
    found=$(grep -cE -- "$regex" "$file" 2>/dev/null || true)
    (( ${found:-0} >= count )) && return 0
    (( $(tb_now_us) >= deadline )) && return 1
    sleep 0.05
  done
}

# tb_wait_for_line FILE REGEX TIMEOUT: wait for a line matching REGEX.
tb_wait_for_line() { tb_wait_for_count "$1" "$2" 1 "$3"; }

# Size of FILE in bytes (0 if absent).
tb_file_size() { stat -c %s -- "$1" 2>/dev/null || echo 0; }

# tb_wait_for_size FILE BYTES TIMEOUT [PID]: wait until FILE holds at least
# BYTES. Returns 1 on timeout, 2 if PID exits first.
tb_wait_for_size() {
  local file=$1 bytes=$2 timeout=$3 pid=${4:-} deadline
  deadline=$(( $(tb_now_us) + timeout * 1000000 ))
  while :; do
    (( $(tb_file_size "$file") >= bytes )) && return 0
    if [[ -n $pid ]] && ! tb_running "$pid"; then
      (( $(tb_file_size "$file") >= bytes )) && return 0
      return 2
    fi
    (( $(tb_now_us) >= deadline )) && return 1
    sleep 0.05
  done
}

# tb_wait_until TIMEOUT CMD [ARGS...]: poll CMD until it succeeds; returns 1
# after TIMEOUT seconds.
tb_wait_until() {
  local timeout=$1 deadline
  shift
  deadline=$(( $(tb_now_us) + timeout * 1000000 ))
  until "$@"; do
    (( $(tb_now_us) >= deadline )) && return 1
    sleep 0.05
  done
}

# True if something listens on TCP PORT in namespace NS.
tb_listening() {
  ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q .
}

# tb_wait_for_listen NS PORT TIMEOUT: wait for a TCP listener on PORT in NS.
tb_wait_for_listen() { tb_wait_until "$3" tb_listening "$1" "$2"; }

# tb_expect_exit PID NAME: wait for a tb_spawn'ed process; fail unless it
# exits 0.
tb_expect_exit() {
  local status=0
  tb_wait_pid "$1" || status=$?
  case $status in
    0) tb_say "$2 exited 0" ;;
    124) tb_fail "$2 was killed by its timeout" ;;
    *) tb_fail "$2 exited with status $status" ;;
  esac
}

# tb_migrations STATS_JSON: number of migrations in an `mcat --stats` file.
tb_migrations() {
  [[ -s $1 ]] || tb_fail "no stats file ${1##*/}"
  jq -e '.migrations | length' "$1" 2>/dev/null || tb_fail "bad stats file ${1##*/}: $(head -c 300 "$1")"
}

# tb_random_file PATH BYTES: BYTES of random data.
tb_random_file() { head -c "$2" /dev/urandom >"$1"; }

# tb_sha256 FILE: the file's SHA-256 in hex.
tb_sha256() { sha256sum -- "$1" | awk '{ print $1 }'; }

# tb_expect_same EXPECTED ACTUAL LABEL: fail unless the files are identical.
tb_expect_same() {
  local expected actual
  expected=$(tb_sha256 "$1")
  actual=$(tb_sha256 "$2")
  if [[ $expected != "$actual" ]]; then
    tb_fail "$3: sha256 differs: sent $expected ($(tb_file_size "$1") bytes)," \
      "received $actual ($(tb_file_size "$2") bytes)"
  fi
  tb_say "$3: sha256 match ${expected:0:16}... ($(tb_file_size "$2") bytes)"
}

# tb_start_transfer UP_BYTES DOWN_BYTES RATE [SERVER_OPTION...]: the usual
# scene of a test. Builds the client-router-server topology with RATE on both
# router links, makes random input files up.bin and down.bin, starts
# `mcat -l -p 7000` on the server (with SERVER_OPTION..., default -v) and the
# client, both with --stats, and waits until they are connected. Sets
# TB_SERVER and TB_CLIENT (pids), TB_PORT; files in $TB_TMP: {srv,cli}.{out,log,json}.
tb_start_transfer() {
  local up=$1 down=$2 rate=$3
  shift 3
  local server_options=("$@")
  ((${#server_options[@]})) || server_options=(-v)
  TB_PORT=7000
  tb_topology_client_router_server
  tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" "$rate"
  tb_rate_limit "$TB_RTR" "$TB_RTR_SRV_DEV" "$rate"
  tb_random_file "$TB_TMP/up.bin" "$up"
  tb_random_file "$TB_TMP/down.bin" "$down"
  tb_spawn "$TB_SRV" 120 "$MCAT" -l "${server_options[@]}" -p "$TB_PORT" --stats "$TB_TMP/srv.json" \
    <"$TB_TMP/down.bin" >"$TB_TMP/srv.out" 2>"$TB_TMP/srv.log"
  TB_SERVER=$TB_PID
  tb_wait_for_line "$TB_TMP/srv.log" "listening on .*:$TB_PORT" 10 || tb_fail "server never said 'listening on'"
  tb_spawn "$TB_CLI" 120 "$MCAT" -v --stats "$TB_TMP/cli.json" "$TB_SRV_ADDR" "$TB_PORT" \
    <"$TB_TMP/up.bin" >"$TB_TMP/cli.out" 2>"$TB_TMP/cli.log"
  TB_CLIENT=$TB_PID
  tb_wait_for_line "$TB_TMP/cli.log" 'connected to ' 10 || tb_fail "client never said 'connected to'"
}

# tb_expect_transfer_done: both ends of tb_start_transfer exit 0 and both
# streams arrived intact.
tb_expect_transfer_done() {
  tb_expect_exit "$TB_CLIENT" client
  tb_expect_exit "$TB_SERVER" server
  tb_expect_same "$TB_TMP/up.bin" "$TB_TMP/srv.out" "client -> server"
  tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/cli.out" "server -> client"
}

# tb_last_migration: the client's latest `migrated ...` log line, for the narrative.
tb_last_migration() { grep -E 'migrated conn=' "$TB_TMP/cli.log" | tail -n 1 | sed 's/.*migrated/migrated/'; }

# Stop what this run started (by pid), delete its namespaces and files.
# Idempotent; keeps the logs and stats (not the data) when the test failed.
tb_cleanup() {
  local status=$?
  ((TB_CLEANED)) && return "$status"
  TB_CLEANED=1
  set +e
  local pid ns deadline
  for pid in "${TB_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  deadline=$(( $(tb_now_us) + 3000000 ))
  for pid in "${TB_PIDS[@]}"; do
    while tb_running "$pid" && (( $(tb_now_us) < deadline )); do sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null
  done
  # Anything left inside our namespaces was started by this run.
  for ns in "${TB_NAMESPACES[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null
    done
  done
  wait 2>/dev/null
  for ns in "${TB_NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null
  done
  if ((TB_FAILED || (status != 0 && status != 77))) || [[ ${MSOCKET_KEEP_LOGS:-0} == 1 ]]; then
    find "$TB_TMP" -type f ! -name '*.log' ! -name '*.json' -delete
    rmdir "$TB_TMP" 2>/dev/null || printf 'logs kept in %s\n' "$TB_TMP" >&2
  else
    rm -rf -- "$TB_TMP"
  fi
  return "$status"
}

trap tb_cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
