#!/usr/bin/env bash
# Two mnamed front ends on one etcd cluster race to store conflicting
# updates of one name, ten times: the same version with other addresses,
# one through each front end, at once. Exactly one wins each round; the
# other is told why ("version is not newer than the stored one"), and the
# stored record is the winner's. Then two keys race to claim a new name:
# one owns it, the other is told "name is owned by another key".
# Usage: names_etcd_race.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=etcd_lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/etcd_lib.sh"
test_arguments MNAMED -- "$@"
tb_require_root jq etcd etcdctl

ROUNDS=${MSOCKET_TEST_ROUNDS:-10}

tb_topology_etcd
tb_start_etcd_cluster
tb_start_front_ends "$MNAMED"
"$MNAMED" keygen --out "$TEST_TMP/other.key" >/dev/null || test_fail "mnamed keygen failed"

# race NAME VERSION KEY1 KEY2: KEY1 through front end 1 (address 10.0.0.1)
# and KEY2 through front end 2 (10.0.0.2), at once; outputs in race{1,2}.*
race() {
  local name=$1 version=$2 pids=() side key url
  for side in 1 2; do
    key=$3 url=$TB_FE1
    ((side == 2)) && key=$4 url=$TB_FE2
    tb_mnamed "$MNAMED" register --server "$url" --key "$key" --version "$version" "$name" "10.0.0.$side:7000" \
      >"$TEST_TMP/race$side.out" 2>"$TEST_TMP/race$side.err" &
    pids+=($!)
  done
  statuses=()
  for side in 0 1; do
    if wait "${pids[side]}"; then statuses+=(0); else statuses+=($?); fi
  done
}

# expect_one_winner WHY: one side exited 0, the other 1 saying WHY; sets WINNER.
expect_one_winner() {
  local why=$1
  case "${statuses[*]}" in
    "0 1") WINNER=1 loser=2 ;;
    "1 0") WINNER=2 loser=1 ;;
    *) test_fail "exit statuses ${statuses[*]}: not exactly one winner ($(cat "$TEST_TMP"/race*.err))" ;;
  esac
  grep -q -- "$why" "$TEST_TMP/race$loser.err" ||
    test_fail "the loser was not told '$why': $(cat "$TEST_TMP/race$loser.err")"
}

wins=(0 0 0)
for ((round = 1; round <= ROUNDS; round++)); do
  version=$((1000 + round))
  race contested "$version" "$TEST_TMP/srv.key" "$TEST_TMP/srv.key"
  expect_one_winner "version is not newer than the stored one"
  stored=$(tb_mnamed "$MNAMED" lookup --no-pin --server "$TB_FE2" contested | jq -c '[.version, .addresses[0]]')
  [[ $stored == "[$version,\"10.0.0.$WINNER:7000\"]" ]] ||
    test_fail "round $round: front end $WINNER won, but $stored is stored"
  wins[WINNER]=$((wins[WINNER] + 1))
done
test_say "$ROUNDS rounds: exactly one winner each (front end 1: ${wins[1]}, front end 2: ${wins[2]}); the loser told why"

race claimed 1 "$TEST_TMP/srv.key" "$TEST_TMP/other.key"
expect_one_winner "name is owned by another key"
test_say "two keys raced for a new name: front end $WINNER's key owns it; the other was told so"
test_say "PASS"
