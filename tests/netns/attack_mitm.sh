#!/usr/bin/env bash
# A man in the middle cannot pass for a server whose key the client knows
# (docs/protocol.md §4.3): the router redirects the client's TCP to port
# 7000 (nftables) to tests/tools/attacker mitm, which answers the client's
# NEW with its own X25519 key and the identity and signature the real server
# (`mcat -l --key srv.key`) gave its own NEW. The client, with --peer-key,
# exits 3 naming the keys, and the server starts no child for the NEW the
# attacker never confirmed. Without the redirect the same client gets the
# file exactly.
# Usage: attack_mitm.sh MCAT MNAMED ATTACKER
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED ATTACKER -- "$@"
tb_require_root nft base64

SIZE=$((4 * 1024 * 1024))

tb_topology_client_router_server
"$MNAMED" keygen --out "$TEST_TMP/srv.key" >/dev/null || test_fail "mnamed keygen failed"
key=$(base64 -d <"$TEST_TMP/srv.key" | tail -c 32 | base64)
key_re=$(sed 's/[+/]/\\&/g' <<<"$key")  # base64 has '+' and '/'
test_random_file "$TEST_TMP/down.bin" "$SIZE"
tb_start_listener 90 -k --key "$TEST_TMP/srv.key" -c "cat $TEST_TMP/down.bin" </dev/null >/dev/null
listener=$TB_LISTENER
test_say "server signs with key $key"

tb_spawn "$TB_RTR" 60 "$ATTACKER" mitm 0.0.0.0:7100 "$TB_SRV_ADDR:7000" </dev/null \
  >"$TEST_TMP/mitm.out" 2>"$TEST_TMP/mitm.log"
tb_wait_for_listen "$TB_RTR" 7100 10 || test_fail "the mitm did not listen"
ip netns exec "$TB_RTR" nft -f - <<NFT
table ip mitm {
  chain prerouting {
    type nat hook prerouting priority dstnat;
    iifname "$TB_RTR_CLI_DEV" tcp dport 7000 redirect to :7100
  }
}
NFT
test_say "router: the client's TCP to port 7000 goes to the mitm on port 7100"

# client NAME: the client with --peer-key, receiving into NAME.out; its status.
client() {
  local status=0
  ip netns exec "$TB_CLI" timeout 30 "$MCAT" -v --recv-only -w 5s --peer-key "$key" "$TB_SRV_ADDR" 7000 \
    </dev/null >"$TEST_TMP/$1.out" 2>"$TEST_TMP/$1.log" || status=$?
  echo "$status"
}

status=$(client fooled)
((status == 3)) || test_fail "the client through the mitm exited $status, expected 3"
test_expect_grep "$TEST_TMP/fooled.log" "signed with key $key_re \(the signature does not verify\); expected key $key_re" \
  "the client naming the keys"
test_expect_grep "$TEST_TMP/fooled.log" "cannot connect to .*identity key does not match" "the client's refusal"
test_say "through the mitm: exit 3, '$(grep -m1 'signed with key' "$TEST_TMP/fooled.log" | sed 's/.*\] //')'"
[[ ! -s $TEST_TMP/fooled.out ]] || test_fail "the client wrote $(test_file_size "$TEST_TMP/fooled.out") bytes"
test_wait_for_line "$TEST_TMP/mitm.out" 'the client ' 15 || test_fail "the mitm did not say what the client did"
sed 's/^/  /' "$TEST_TMP/mitm.out"
test_expect_grep "$TEST_TMP/mitm.out" 'the client (closed|reset) the connection' "the client leaving the mitm"
test_say "server children after the mitm's unconfirmed NEW: $(tb_children "$listener")"
(($(tb_children "$listener") == 0)) || test_fail "the server started a child for the mitm's NEW"

ip netns exec "$TB_RTR" nft delete table ip mitm
test_say "redirect removed"
status=$(client direct)
((status == 0)) || test_fail "the client without the mitm exited $status: $(tail -n 5 "$TEST_TMP/direct.log")"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/direct.out" "server -> client, --peer-key"
test_say "PASS"
