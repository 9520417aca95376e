#!/usr/bin/env bash
# mnamed on a three-member etcd cluster loses one member (SIGKILL: a quorum
# of two remains) and one of its two front ends, mid-test:
#  - every update acknowledged before the kills is read back, exactly, after
#    them (no acknowledged update is lost);
#  - updates go on (through the surviving front end, which moves to
#    another member by itself) and a watch held on the dead front end moves
#    to the live one (its client was given both URLs) and sees them.
# Usage: names_etcd_failover.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=etcd_lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/etcd_lib.sh"
test_arguments MNAMED -- "$@"
tb_require_root jq etcd etcdctl

NAMES=${MSOCKET_TEST_NAMES:-20}

tb_topology_etcd
tb_start_etcd_cluster
tb_start_front_ends "$MNAMED"
both="$TB_FE1,$TB_FE2"

# register NAME ADDR: through either front end (the client fails over);
# prints the version acknowledged.
register() {
  tb_mnamed "$MNAMED" register --server "$both" --key "$TEST_TMP/srv.key" --ttl 5m "$1" "$2" |
    jq -r .version
}

declare -A acknowledged
for ((i = 1; i <= NAMES; i++)); do
  acknowledged[n$i]=$(register "n$i" "10.1.0.$i:7000") || test_fail "update of n$i was not acknowledged"
done
test_say "$NAMES updates acknowledged before the kills"

# A watch held on front end 2 first (the first URL), front end 1 second.
tb_spawn "$TB_CLI" 90 "$MNAMED" watch -v --server "$TB_FE2,$TB_FE1" n1 >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.log"
test_wait_for_line "$TEST_TMP/watch.log" 'watching n1 after version' 10 || test_fail "mnamed watch did not start"

test_say "killing etcd member 1 and front end 2, with SIGKILL"
tb_kill_tree KILL "${TB_ETCD_PIDS[0]}"
tb_kill_tree KILL "${TB_FRONT_END_PIDS[2]}"
killed_at=$(test_now_us)

for ((i = 1; i <= NAMES; i++)); do
  stored=$(tb_mnamed "$MNAMED" lookup --no-pin --server "$both" "n$i" | jq -r .version) ||
    test_fail "n$i cannot be read after the kills"
  [[ $stored == "${acknowledged[n$i]}" ]] ||
    test_fail "n$i: version ${acknowledged[n$i]} was acknowledged, $stored is stored"
done
test_say "all $NAMES acknowledged versions read back after the kills ($((($(test_now_us) - killed_at) / 1000)) ms)"

for ((i = 1; i <= 5; i++)); do
  register "n$i" "10.2.0.$i:7000" >/dev/null || test_fail "update $i after the kills failed"
done
test_say "5 updates acknowledged after the kills"
test_wait_for_line "$TEST_TMP/watch.out" '10\.2\.0\.1:7000' 15 ||
  test_fail "the watch did not move to front end 1, or missed the update"
test_expect_grep "$TEST_TMP/watch.log" 'name server 10\.200\.1\.1:7702 failed' "the watch's client"
test_wait_for_line "$TEST_TMP/fe1.log" 'etcd endpoint 10.200.11.2:2379 failed' 10 ||
  test_fail "front end 1 did not leave the dead member"
test_say "the watch moved to front end 1 and saw the update; front end 1 moved to another member"
test_say "PASS"
