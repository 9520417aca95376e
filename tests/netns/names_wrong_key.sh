#!/usr/bin/env bash
# Names belong to keys: once the server has registered "srv", a listener or
# an update signed with another key is refused with a clear message and a
# non-zero exit, and the stored record stays exactly as it was.
# Usage: names_wrong_key.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq

tb_topology_client_router_server
tb_start_names "$MNAMED"
"$MNAMED" keygen --out "$TEST_TMP/thief.key" >/dev/null

tb_start_named_server 60 </dev/null >/dev/null
before=$(tb_lookup "$MNAMED" srv)
[[ -n $before ]] || test_fail "no record for srv"
test_say "srv registered: $(jq -c '{addresses, version}' <<<"$before")"

# A second listener with another key, in the client's namespace.
status=0
ip netns exec "$TB_CLI" timeout 20 "$MCAT" -l --names "$TB_NAMES" --name srv --key "$TEST_TMP/thief.key" -p 7001 \
  </dev/null >/dev/null 2>"$TEST_TMP/thief-mcat.log" || status=$?
((status != 0 && status != 124)) || test_fail "mcat with another key: exit status $status, expected a refusal"
grep -q 'mcat: cannot register srv: .*another key' "$TEST_TMP/thief-mcat.log" ||
  test_fail "mcat's message does not say the name belongs to another key: $(cat "$TEST_TMP/thief-mcat.log")"
test_say "mcat -l --name srv with another key: exit $status, '$(head -n 1 "$TEST_TMP/thief-mcat.log")'"

# The same through the name service's own client.
status=0
ip netns exec "$TB_CLI" timeout 20 "$MNAMED" register --server "$TB_NAMES" --key "$TEST_TMP/thief.key" \
  srv 10.200.1.2:7001 >/dev/null 2>"$TEST_TMP/thief-mnamed.log" || status=$?
((status != 0 && status != 124)) || test_fail "mnamed register with another key: exit status $status"
test_say "mnamed register with another key: exit $status, '$(head -n 1 "$TEST_TMP/thief-mnamed.log")'"

after=$(tb_lookup "$MNAMED" srv)
[[ $after == "$before" ]] || test_fail "the record changed: before $before, after $after"
test_say "the record is unchanged"
test_running "$TB_SERVER" || test_fail "the rightful server stopped"
test_say "PASS"
