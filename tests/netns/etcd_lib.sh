# shellcheck shell=bash
# The scene of the tests of mnamed on etcd (names_etcd_*.sh), on top of
# lib.sh: the client-router-server topology, three etcd members in three
# namespaces of their own behind the router, and two mnamed front ends on
# that cluster, in the router's namespace.
#   etcdI  eth0 10.200.1I.2/24 (I = 1, 2, 3) -- rtr to-eI 10.200.1I.1/24
#   front end 1: http://10.200.2.1:7701 (etcd members 1, 2, 3 in that order)
#   front end 2: http://10.200.1.1:7702 (etcd members 2, 3, 1)
# Sourced after lib.sh; tb_require_root must have been called with etcd.

TB_ETCD_PIDS=()
TB_FRONT_END_PIDS=()

# tb_etcd_member_url I / tb_etcd_peer_url I: member I's client and peer URLs.
tb_etcd_member_url() { echo "http://10.200.1$1.2:2379"; }
tb_etcd_peer_url() { echo "http://10.200.1$1.2:2380"; }

# tb_topology_etcd: tb_topology_client_router_server, and the members'
# namespaces behind the router.
tb_topology_etcd() {
  tb_topology_client_router_server
  local i ns
  for i in 1 2 3; do
    ns=$TB_ID-etcd$i
    tb_netns_add "$ns"
    ip -n "$ns" link add eth0 type veth peer name "to-e$i" netns "$TB_RTR"
    ip -n "$ns" addr add "10.200.1$i.2/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "10.200.1$i.1" dev eth0
    ip -n "$TB_RTR" addr add "10.200.1$i.1/24" dev "to-e$i"
    ip -n "$TB_RTR" link set "to-e$i" up
  done
}

# tb_start_etcd_cluster: the three members, each with its data in
# $TEST_TMP/etcdI and its log in etcdI.log; waits until the cluster has a
# leader and answers. Sets TB_ETCD_PIDS.
tb_start_etcd_cluster() {
  local i cluster=
  for i in 1 2 3; do cluster+="${cluster:+,}member$i=$(tb_etcd_peer_url "$i")"; done
  for i in 1 2 3; do
    tb_spawn "$TB_ID-etcd$i" 300 etcd --name "member$i" --data-dir "$TEST_TMP/etcd$i" \
      --listen-client-urls "$(tb_etcd_member_url "$i")" --advertise-client-urls "$(tb_etcd_member_url "$i")" \
      --listen-peer-urls "$(tb_etcd_peer_url "$i")" --initial-advertise-peer-urls "$(tb_etcd_peer_url "$i")" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$TB_ID" \
      >"$TEST_TMP/etcd$i.log" 2>&1
    TB_ETCD_PIDS+=("$TB_PID")
  done
  test_wait_until 30 tb_etcd_healthy || test_fail "the etcd cluster did not become healthy"
  test_say "etcd cluster of 3 members up"
}

tb_etcd_healthy() {
  ip netns exec "$TB_RTR" etcdctl --endpoints "$(tb_etcd_member_url 1),$(tb_etcd_member_url 2),$(tb_etcd_member_url 3)" \
    --command-timeout 2s endpoint health >/dev/null 2>&1
}

# tb_start_front_end MNAMED INDEX LISTEN MEMBER...: `mnamed serve --store
# etcd=` on LISTEN in the router's namespace, with the members' URLs in that
# order; log in $TEST_TMP/fe$INDEX.log. Waits until it listens.
tb_start_front_end() {
  local mnamed=$1 index=$2 listen=$3 urls= member
  shift 3
  for member in "$@"; do urls+="${urls:+,}$(tb_etcd_member_url "$member")"; done
  tb_spawn "$TB_RTR" 300 "$mnamed" serve -v --listen "$listen" --store "etcd=$urls" --update-rate 0 \
    2>"$TEST_TMP/fe$index.log"
  TB_FRONT_END_PIDS[index]=$TB_PID
  test_wait_for_line "$TEST_TMP/fe$index.log" "listening on $listen" 15 || test_fail "front end $index did not start"
}

# tb_start_front_ends MNAMED: front ends 1 and 2 (see above). Sets TB_FE1,
# TB_FE2 (their URLs) and a key for "srv" in $TEST_TMP/srv.key.
tb_start_front_ends() {
  TB_FE1=http://10.200.2.1:7701
  TB_FE2=http://10.200.1.1:7702
  "$1" keygen --out "$TEST_TMP/srv.key" >/dev/null || test_fail "mnamed keygen failed"
  tb_start_front_end "$1" 1 10.200.2.1:7701 1 2 3
  tb_start_front_end "$1" 2 10.200.1.1:7702 2 3 1
  test_say "front ends up: $TB_FE1 and $TB_FE2"
}

# tb_mnamed MNAMED ARG...: a client subcommand of mnamed in the router's
# namespace, 15 s at most.
tb_mnamed() {
  local mnamed=$1
  shift
  ip netns exec "$TB_RTR" timeout 15 "$mnamed" "$@"
}
