#!/usr/bin/env bash
# A fake name service can deny but not redirect. The client connects to
# "srv" by name through the real mnamed, which pins srv's owner key in its
# known-names file. An attacker runs a second mnamed (another store) where
# "srv" is registered with a fresh key at version 2^63, pointing at the
# attacker's listener. Through that service, `mnamed lookup` is refused
# with exit 3 and a message naming srv and both keys, and `mcat` does not
# connect: the attacker's listener never sees a connection.
# Usage: names_fake_service.sh MCAT MNAMED SIGN_RECORD
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED SIGN_RECORD -- "$@"
tb_require_root jq curl
KNOWN=$XDG_CONFIG_HOME/msocket/known_names
FAKE=http://10.200.2.1:7701

tb_topology_client_router_server
tb_start_names "$MNAMED"
tb_spawn "$TB_RTR" 120 "$MNAMED" serve -v --listen 10.200.2.1:7701 --data-dir "$TEST_TMP/fake" 2>"$TEST_TMP/fake.log"
tb_wait_for_listen "$TB_RTR" 7701 10 || test_fail "the fake mnamed did not start"
tb_start_named_server 90 -k -c 'echo real-server' </dev/null >/dev/null
OWNER=$(jq -r .owner <<<"$(tb_lookup "$MNAMED" srv)")
test_say "real service: srv owned by $OWNER"

# The client's first connection by name pins srv's key.
ip netns exec "$TB_CLI" timeout 20 "$MCAT" --names "$TB_NAMES" srv </dev/null >"$TEST_TMP/first.out" \
  2>"$TEST_TMP/first.log" || test_fail "the first connection by name failed: $(cat "$TEST_TMP/first.log")"
grep -qx real-server "$TEST_TMP/first.out" || test_fail "the first connection got: $(cat "$TEST_TMP/first.out")"
[[ $(cat "$KNOWN") == "srv $OWNER" ]] || test_fail "known_names after connecting: $(cat "$KNOWN" 2>/dev/null)"
test_say "mcat --names real srv: 'real-server'; srv's key pinned in $KNOWN"
ip netns exec "$TB_CLI" timeout 10 "$MNAMED" lookup --server "$TB_NAMES" srv >/dev/null 2>"$TEST_TMP/real-lookup.log" ||
  test_fail "lookup through the real service: $(cat "$TEST_TMP/real-lookup.log")"

# The attacker: a fresh key, version 2^63, its own listener.
"$MNAMED" keygen --out "$TEST_TMP/attacker.key" >"$TEST_TMP/attacker.pub"
ATTACKER=$(cat "$TEST_TMP/attacker.pub")
tb_spawn "$TB_RTR" 90 "$MCAT" -l -k -v -p 7009 -c 'echo attacker' </dev/null >/dev/null 2>"$TEST_TMP/attacker.log"
test_wait_for_line "$TEST_TMP/attacker.log" 'listening on' 10 || test_fail "the attacker's listener did not start"
"$SIGN_RECORD" "$TEST_TMP/attacker.key" srv 9223372036854775808 $(($(date +%s) + 3600)) 10.200.2.1:7009 \
  >"$TEST_TMP/forged.json" || test_fail "sign_record failed"
status=$(ip netns exec "$TB_RTR" curl -s -o "$TEST_TMP/put.json" -w '%{http_code}' -X PUT \
  --data-binary @"$TEST_TMP/forged.json" "$FAKE/v1/names/srv")
[[ $status == 200 ]] || test_fail "the fake service refused the attacker's record: $status $(cat "$TEST_TMP/put.json")"
test_say "fake service: srv at 10.200.2.1:7009, $(grep -oE '"version":[0-9]+' "$TEST_TMP/put.json"), key $ATTACKER"

status=0
ip netns exec "$TB_CLI" timeout 10 "$MNAMED" lookup --server "$FAKE" srv >"$TEST_TMP/fake-lookup.out" \
  2>"$TEST_TMP/fake-lookup.log" || status=$?
((status == 3)) || test_fail "lookup through the fake service exited $status, expected 3: $(cat "$TEST_TMP/fake-lookup.log")"
[[ ! -s $TEST_TMP/fake-lookup.out ]] || test_fail "the forged record was printed"
grep -qF "srv: name's key does not match the pinned key" "$TEST_TMP/fake-lookup.log" || test_fail "no mismatch message"
grep -qF "pinned key:  $OWNER ($KNOWN)" "$TEST_TMP/fake-lookup.log" || test_fail "the message lacks the pinned key"
grep -qF "offered key: $ATTACKER" "$TEST_TMP/fake-lookup.log" || test_fail "the message lacks the offered key"
test_say "mnamed lookup through the fake service: exit 3:"
sed 's/^/    /' "$TEST_TMP/fake-lookup.log"

status=0
ip netns exec "$TB_CLI" timeout 30 "$MCAT" -w 3s --names "$FAKE" srv </dev/null >"$TEST_TMP/fake-mcat.out" \
  2>"$TEST_TMP/fake-mcat.log" || status=$?
((status != 0 && status != 124)) || test_fail "mcat through the fake service exited $status"
[[ ! -s $TEST_TMP/fake-mcat.out ]] || test_fail "mcat through the fake service got: $(cat "$TEST_TMP/fake-mcat.out")"
grep -qF "does not match the pinned key" "$TEST_TMP/fake-mcat.log" ||
  test_fail "mcat does not say why: $(cat "$TEST_TMP/fake-mcat.log")"
! grep -q 'accepted conn=' "$TEST_TMP/attacker.log" || test_fail "the attacker's listener got a connection"
test_say "mcat --names fake srv: exit $status, no connection to the attacker: $(tail -n 1 "$TEST_TMP/fake-mcat.log")"
[[ $(cat "$KNOWN") == "srv $OWNER" ]] || test_fail "known_names changed: $(cat "$KNOWN")"
test_say PASS
