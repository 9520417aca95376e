#!/usr/bin/env bash
# 2,000 idle msocket connections to one listener, across a router: the
# library's acceptor (mbench scale-listen, which echoes) in the server's
# namespace, the clients (mbench scale-connect, one process) in the
# client's. Every connection must get its own message back exact, and the
# listener's memory must grow by at most 16 KiB per idle connection, plus
# its one-off growth (DESIGN.md: "One server: 10,000 concurrent connections"), measured as
# VmRSS growth once they have sat idle for 4 s (their buffers go back after
# a second, the freed pages to the system a second later). Then the same
# against `mcat -l -k`, which must write every byte to its output. Prints
# the figures.
# Usage: scale_connections.sh MBENCH MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH MCAT -- "$@"
tb_require_root

CONNECTIONS=2000
MESSAGE=100
BOUND_KIB=16  # per idle connection end (the target, which mbench scale measures at 10,000)
# What the process grows by once, whatever the count: malloc's arenas and
# heap top, its output buffers. 2,000 connections share it, so it is
# allowed once rather than counted against each (1 KiB each here; about
# 0.2 KiB at 10,000). Runs measured 14.6-16.1 KiB per connection with it.
ONE_OFF_KIB=2048

tb_topology_client_router_server

# rss_kib PID FIELD: VmRSS or RssAnon of PID, in KiB.
rss_kib() { awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"; }

# run_clients NAME [--echo]: CONNECTIONS clients against port 7000; waits
# for their "ready" line (and fails if they exit before it).
run_clients() {
  local name=$1
  shift
  tb_spawn "$TB_CLI" 120 "$MBENCH" scale-connect --to "$TB_SRV_ADDR:7000" --connections "$CONNECTIONS" \
    --message-size "$MESSAGE" "$@" </dev/null >/dev/null 2>"$TEST_TMP/$name.log"
  CLIENTS=$TB_PID
  test_wait_until 90 client_done "$TEST_TMP/$name.log" "$CLIENTS" ||
    test_fail "$name: the clients were not ready in 90 s"
  test_has_line "$TEST_TMP/$name.log" 'ready ' ||
    test_fail "$name: the clients failed: $(tail -n 3 "$TEST_TMP/$name.log")"
  test_say "$name: $(grep -o 'ready [^,]*, [^,]*' "$TEST_TMP/$name.log")"
}
client_done() { test_has_line "$1" 'ready ' || test_exited "$2"; }

# check_memory NAME PID BEFORE_KIB: after 4 s idle, the growth of PID's VmRSS
# over the connections is within the bound: BOUND_KIB each, plus ONE_OFF_KIB.
check_memory() {
  local name=$1 pid=$2 before=$3 after anon per_connection
  sleep 4  # idle: no readiness to wait for, the buffers go back on their own
  after=$(rss_kib "$pid" VmRSS)
  anon=$(rss_kib "$pid" RssAnon)
  per_connection=$(awk -v a="$after" -v b="$before" -v n="$CONNECTIONS" 'BEGIN { printf "%.2f", (a - b) / n }')
  test_say "$name: listener VmRSS $before -> $after KiB (RssAnon $anon KiB): $per_connection KiB per idle connection (bound $BOUND_KIB, plus $ONE_OFF_KIB KiB once)"
  ((after - before <= CONNECTIONS * BOUND_KIB + ONE_OFF_KIB)) ||
    test_fail "$name: $per_connection KiB per idle connection, above $BOUND_KIB KiB (with $ONE_OFF_KIB KiB once)"
}

stop() { tb_kill_tree TERM "$1"; test_wait_pid "$1" || true; }

# The library's acceptor, echoing.
tb_spawn "$TB_SRV" 150 "$MBENCH" scale-listen --listen "0.0.0.0:7000" </dev/null >/dev/null 2>"$TEST_TMP/acceptor.log"
listener=$TB_PID
test_wait_for_line "$TEST_TMP/acceptor.log" 'listening on .*:7000' 10 || test_fail "scale-listen never listened"
pid=$(test_child_pid "$listener")
before=$(rss_kib "$pid" VmRSS)
run_clients acceptor-clients --echo
test_has_line "$TEST_TMP/acceptor-clients.log" "ready $CONNECTIONS connections, $CONNECTIONS exact echoes" ||
  test_fail "not every connection got its echo: $(grep ready "$TEST_TMP/acceptor-clients.log")"
check_memory acceptor "$pid" "$before"
stop "$CLIENTS"
stop "$listener"

# mcat -l -k, writing every connection's bytes to its output.
tb_spawn "$TB_SRV" 150 "$MCAT" -l -k -v "0.0.0.0" 7000 </dev/null >"$TEST_TMP/mcat.out" 2>"$TEST_TMP/mcat.log"
listener=$TB_PID
test_wait_for_line "$TEST_TMP/mcat.log" 'listening on .*:7000' 10 || test_fail "mcat never listened"
pid=$(test_child_pid "$listener")
before=$(rss_kib "$pid" VmRSS)
run_clients mcat-clients
test_wait_for_size "$TEST_TMP/mcat.out" $((CONNECTIONS * MESSAGE)) 20 "$pid" ||
  test_fail "mcat wrote $(test_file_size "$TEST_TMP/mcat.out") bytes of $((CONNECTIONS * MESSAGE))"
check_memory mcat "$pid" "$before"
stop "$CLIENTS"
stop "$listener"
test_say "PASS"
