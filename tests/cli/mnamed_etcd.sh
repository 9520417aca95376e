#!/usr/bin/env bash
# mnamed serve --store etcd= on loopback: a one-member etcd on a 127.0.R.S
# address of this run's own and two front ends on it. A record registered
# through one is read through the other; a watch held on the second sees an
# update made through the first; a client given both URLs goes on when the
# first front end is gone. Usage errors exit 2; an etcd that never answers,
# 1. Skips (77) without an etcd binary unless CI or MSOCKET_REQUIRE_NETNS=1.
# Usage: mnamed_etcd.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq
if ! command -v etcd >/dev/null 2>&1; then
  if [[ -n ${CI:-} || ${MSOCKET_REQUIRE_NETNS:-0} == 1 ]]; then test_fail "no etcd binary (scripts/install-deps.sh)"; fi
  echo "SKIP: needs etcd (apt-get install etcd-server)"
  exit 77
fi
KEY=$TEST_TMP/owner.key
timeout 10 "$MNAMED" keygen --out "$KEY" >/dev/null || test_fail "keygen failed"

test_expect_usage_error 'data-dir is for the log store' "$MNAMED" serve --store etcd=http://127.0.0.1:1 --data-dir "$TEST_TMP/d"
test_expect_usage_error 'etcd= wants http://HOST:PORT' "$MNAMED" serve --store etcd=nonsense
test_expect_usage_error 'store wants log or etcd=' "$MNAMED" serve --store sqlite
cli_spawn 30 "$MNAMED" serve --listen 127.0.0.1:0 --store etcd=http://127.0.0.1:1 </dev/null 2>"$TEST_TMP/dead.log"
test_expect_exit "$CLI_PID" "mnamed serve on an etcd that never answers" 1
test_expect_grep "$TEST_TMP/dead.log" 'no endpoint of the name store answered' "the unreachable etcd"

address=127.0.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 2))
cli_spawn 60 etcd --name cli --data-dir "$TEST_TMP/etcd" --listen-client-urls "http://$address:2379" \
  --advertise-client-urls "http://$address:2379" --listen-peer-urls "http://$address:2380" \
  --initial-advertise-peer-urls "http://$address:2380" --initial-cluster "cli=http://$address:2380" \
  </dev/null 2>"$TEST_TMP/etcd.log"
cli_listen fe1 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --store "etcd=http://$address:2379" </dev/null
FE1=http://127.0.0.1:$CLI_PORT
FE1_PID=$(cli_child_pid "$CLI_PID")
cli_listen fe2 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --store "etcd=http://$address:2379" </dev/null
FE2=http://127.0.0.1:$CLI_PORT

timeout 10 "$MNAMED" register --server "$FE1" --key "$KEY" shared.example 10.0.0.1:7000 >"$TEST_TMP/first.out" ||
  test_fail "register through front end 1 failed"
timeout 10 "$MNAMED" lookup --no-pin --server "$FE2" shared.example >"$TEST_TMP/lookup.out" ||
  test_fail "lookup through front end 2 failed"
cmp -s "$TEST_TMP/first.out" "$TEST_TMP/lookup.out" || test_fail "front end 2 reads $(cat "$TEST_TMP/lookup.out")"
test_say "registered through front end 1, read back through front end 2"

cli_spawn 30 "$MNAMED" watch -v --server "$FE2" shared.example </dev/null >"$TEST_TMP/watch.out" 2>"$TEST_TMP/watch.log"
test_wait_for_line "$TEST_TMP/watch.log" 'watching shared.example' 5 || test_fail "mnamed watch did not start"
timeout 10 "$MNAMED" register --server "$FE1" --key "$KEY" shared.example 10.0.0.2:7000 >/dev/null ||
  test_fail "the second register failed"
test_wait_for_line "$TEST_TMP/watch.out" '10\.0\.0\.2:7000' 5 || test_fail "the watch on front end 2 missed the update"
test_say "a watch on front end 2 saw the update made through front end 1"

kill -TERM "$FE1_PID"
test_wait_for_line "$TEST_TMP/fe1.log" 'etcd watch events' 5 || test_fail "front end 1 did not end with its status line"
timeout 10 "$MNAMED" register --server "$FE1,$FE2" --key "$KEY" shared.example 10.0.0.3:7000 >/dev/null ||
  test_fail "a client given both front ends did not go on to the second"
test_say "front end 1 stopped: a client given both URLs went on through front end 2"
test_say PASS
