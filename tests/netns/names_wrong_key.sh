#!/usr/bin/env bash
# Names belong to keys: once the server has registered "srv", a listener or
# an update signed with another key is refused with a clear message and a
# non-zero exit, and the stored record stays exactly as it was.
# Usage: names_wrong_key.sh MCAT MNAMED
set -euo pipefail
MCAT=${1:?usage: names_wrong_key.sh MCAT MNAMED}
MNAMED=${2:?usage: names_wrong_key.sh MCAT MNAMED}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"
tb_require_exe "$MNAMED"

tb_topology_client_router_server
tb_start_names "$MNAMED"
"$MNAMED" keygen --out "$TB_TMP/thief.key" >/dev/null

tb_spawn "$TB_SRV" 60 "$MCAT" -l -v --names "$TB_NAMES" --name srv --key "$TB_TMP/srv.key" -p 7000 \
  </dev/null >/dev/null 2>"$TB_TMP/srv.log"
server=$TB_PID
tb_wait_for_line "$TB_TMP/srv.log" 'registered srv at 10.200.2.2:7000' 10 || tb_fail "the server did not register"
before=$(tb_lookup "$MNAMED" srv)
[[ -n $before ]] || tb_fail "no record for srv"
tb_say "srv registered: $(jq -c '{addresses, version}' <<<"$before")"

# A second listener with another key, in the client's namespace.
status=0
ip netns exec "$TB_CLI" timeout 20 "$MCAT" -l --names "$TB_NAMES" --name srv --key "$TB_TMP/thief.key" -p 7001 \
  </dev/null >/dev/null 2>"$TB_TMP/thief-mcat.log" || status=$?
((status != 0 && status != 124)) || tb_fail "mcat with another key: exit status $status, expected a refusal"
grep -q 'mcat: cannot register srv: .*another key' "$TB_TMP/thief-mcat.log" ||
  tb_fail "mcat's message does not say the name belongs to another key: $(cat "$TB_TMP/thief-mcat.log")"
tb_say "mcat -l --name srv with another key: exit $status, '$(head -n 1 "$TB_TMP/thief-mcat.log")'"

# The same through the name service's own client.
status=0
ip netns exec "$TB_CLI" timeout 20 "$MNAMED" register --server "$TB_NAMES" --key "$TB_TMP/thief.key" \
  srv 10.200.1.2:7001 >/dev/null 2>"$TB_TMP/thief-mnamed.log" || status=$?
((status != 0 && status != 124)) || tb_fail "mnamed register with another key: exit status $status"
tb_say "mnamed register with another key: exit $status, '$(head -n 1 "$TB_TMP/thief-mnamed.log")'"

after=$(tb_lookup "$MNAMED" srv)
[[ $after == "$before" ]] || tb_fail "the record changed: before $before, after $after"
tb_say "the record is unchanged"
tb_running "$server" || tb_fail "the rightful server stopped"
tb_say "PASS"
