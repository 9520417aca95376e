#!/usr/bin/env bash
# mnamed's DNS face for legacy programs (man/mnamed.8, DNS). mnamed runs on
# the router with --dns 10.200.1.1:53 --zone names.test; the client's
# namespace has it as its resolver (/etc/netns/NS/resolv.conf, which `ip
# netns exec` mounts on /etc/resolv.conf). A server registered as "srv"
# (mcat -l --name srv) forwards to a plain TCP echo service.
#  1. dig @mnamed: A, SRV and TXT of srv.names.test give the server's
#     address, port and owner key; an unknown name is NXDOMAIN (SOA in
#     authority), a name outside the zone REFUSED.
#  2. getent hosts, and bash's /dev/tcp (a plain TCP client, the system
#     resolver), reach the server by its DNS name.
#  3. Through `mcat --local 127.0.0.1:2222 srv.names.test 7000` a plain TCP
#     client's connection lives through a server move; dig and getent give
#     the new address within the TTL (2 s here).
#  4. Malformed and oversized datagrams get no answer and do not stop mnamed.
# Usage: names_dns.sh MCAT MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED -- "$@"
tb_require_root jq dig getent socat python3

ZONE=names.test
DNS=10.200.1.1
TTL=2

tb_topology_client_router_server
tb_start_names "$MNAMED" --dns "$DNS:53" --zone "$ZONE" --dns-ttl "${TTL}s"
test_wait_for_line "$TEST_TMP/mnamed.log" "mnamed: serving DNS for $ZONE on $DNS:53" 10 || test_fail "mnamed never served DNS"

# The client's resolver: mnamed, for the namespace's processes only.
RESOLV_DIR=/etc/netns/$TB_CLI
remove_resolver() { rm -rf -- "$RESOLV_DIR"; rmdir /etc/netns 2>/dev/null || true; }
TEST_CLEANUP_HOOKS+=(remove_resolver)
mkdir -p "$RESOLV_DIR"
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DNS" >"$RESOLV_DIR/resolv.conf"

# cli_dig ARG...: dig in the client's namespace, answers only.
cli_dig() { ip netns exec "$TB_CLI" timeout 10 dig +time=1 +tries=2 "$@"; }
# The address getent finds for srv.names.test in the client's namespace.
cli_getent() { ip netns exec "$TB_CLI" timeout 10 getent hosts "srv.$ZONE" | awk 'NR == 1 { print $1 }'; }

# The legacy service: a plain TCP echo on the server, and mcat forwarding to it.
tb_spawn "$TB_SRV" 120 socat TCP-LISTEN:9000,reuseaddr,fork EXEC:cat </dev/null >/dev/null 2>"$TEST_TMP/echo.log"
tb_wait_for_listen "$TB_SRV" 9000 10 || test_fail "echo service not listening on 9000"
tb_start_named_server 120 -k --forward 127.0.0.1:9000 </dev/null >/dev/null

# 1. dig
a=$(cli_dig +short "@$DNS" "srv.$ZONE" A)
[[ $a == 10.200.2.2 ]] || test_fail "dig A srv.$ZONE gave '$a', not 10.200.2.2"
srv=$(cli_dig +short "@$DNS" "srv.$ZONE" SRV)
[[ $srv == "0 0 7000 srv.$ZONE." ]] || test_fail "dig SRV gave '$srv'"
owner=$(tb_lookup "$MNAMED" srv | jq -r .owner)
txt=$(cli_dig +short "@$DNS" "srv.$ZONE" TXT)
[[ $txt == "\"$owner\"" ]] || test_fail "dig TXT gave '$txt', not the owner key \"$owner\""
test_say "dig: A $a, SRV $srv, TXT the owner key"
cli_dig "@$DNS" "nobody.$ZONE" A >"$TEST_TMP/nobody.dig"
grep -q 'status: NXDOMAIN' "$TEST_TMP/nobody.dig" || test_fail "no NXDOMAIN for an unknown name: $(cat "$TEST_TMP/nobody.dig")"
grep -qE "^$ZONE\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SOA" "$TEST_TMP/nobody.dig" || test_fail "no SOA with NXDOMAIN"
cli_dig "@$DNS" example.com A >"$TEST_TMP/outside.dig"
grep -q 'status: REFUSED' "$TEST_TMP/outside.dig" || test_fail "a name outside the zone was not REFUSED"
test_say "dig: an unknown name is NXDOMAIN (SOA in authority), a name outside the zone REFUSED"

# 2. The system resolver: getent, and a plain TCP client by name.
[[ $(cli_getent) == 10.200.2.2 ]] || test_fail "getent gave '$(cli_getent)'"
reply=$(ip netns exec "$TB_CLI" timeout 10 bash -c \
  "exec 3<>/dev/tcp/srv.$ZONE/9000; echo by-name >&3; read -r line <&3; echo \"\$line\"") || true
[[ $reply == by-name ]] || test_fail "bash /dev/tcp/srv.$ZONE/9000 got '$reply'"
test_say "getent hosts srv.$ZONE: 10.200.2.2; bash /dev/tcp/srv.$ZONE/9000 reached the echo service"

# 3. A plain TCP client through mcat --local, across a server move.
tb_spawn "$TB_CLI" 120 "$MCAT" -v --local 127.0.0.1:2222 "srv.$ZONE" 7000 </dev/null >/dev/null 2>"$TEST_TMP/cli.log"
tb_wait_for_listen "$TB_CLI" 2222 10 || test_fail "mcat --local not listening on 127.0.0.1:2222"
MOVED=$TEST_TMP/moved
tb_spawn "$TB_CLI" 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/2222; echo before-move >&3; read -r a <&3; echo \"\$a\"
  until [ -e $MOVED ]; do sleep 0.05; done; echo after-move >&3; read -r b <&3; echo \"\$b\"" \
  </dev/null >"$TEST_TMP/legacy.out" 2>"$TEST_TMP/legacy.log"
legacy=$TB_PID
test_wait_for_line "$TEST_TMP/legacy.out" before-move 10 || test_fail "no echo through mcat --local before the move"
test_wait_for_line "$TEST_TMP/cli.log" 'connected to 10.200.2.2:7000' 5 || test_fail "mcat did not connect to srv.$ZONE"

moved_at=$(test_now_us)
tb_move_server 10.200.6.2/24 10.200.6.1
test_say "server moved 10.200.2.2 -> 10.200.6.2"
test_wait_for_line "$TEST_TMP/srv.log" 'registered srv at 10.200.6.2:7000' 10 || test_fail "the server did not re-register"
registered_ms=$((($(test_now_us) - moved_at) / 1000))
dig_new() { [[ $(cli_dig +short "@$DNS" "srv.$ZONE" A) == 10.200.6.2 ]]; }
getent_new() { [[ $(cli_getent) == 10.200.6.2 ]]; }
test_wait_until "$TTL" dig_new || test_fail "dig still gives $(cli_dig +short "@$DNS" "srv.$ZONE" A) ${TTL}s after the re-registration"
test_wait_until "$TTL" getent_new || test_fail "getent still gives $(cli_getent) ${TTL}s after the re-registration"
test_say "dig and getent give 10.200.6.2 $((($(test_now_us) - moved_at) / 1000)) ms after the move" \
  "(re-registered at ${registered_ms} ms; TTL ${TTL} s)"
tb_wait_for_migration 1
touch "$MOVED"
test_expect_exit "$legacy" "the plain TCP client through mcat --local"
[[ $(cat "$TEST_TMP/legacy.out") == $'before-move\nafter-move' ]] || test_fail "the legacy client got: $(cat "$TEST_TMP/legacy.out")"
test_say "the plain TCP client's connection through mcat --local lived through the move"
reply=$(ip netns exec "$TB_CLI" timeout 10 bash -c \
  "exec 3<>/dev/tcp/srv.$ZONE/9000; echo by-new-address >&3; read -r line <&3; echo \"\$line\"") || true
[[ $reply == by-new-address ]] || test_fail "after the move, bash /dev/tcp/srv.$ZONE/9000 got '$reply'"
test_say "a new plain TCP connection by name reaches the server at its new address"

# 4. Malformed and oversized datagrams: no answer, mnamed keeps answering.
ip netns exec "$TB_CLI" python3 - "$DNS" >"$TEST_TMP/garbage.out" <<'PY' || test_fail "$(cat "$TEST_TMP/garbage.out")"
import socket, sys
server = (sys.argv[1], 53)
query = bytes.fromhex("abcd01000001000000000000") + b"\x03srv\x05names\x04test\x00" + bytes.fromhex("00010001")
sent = {
    "empty": b"",
    "short header": b"\x12\x34\x01",
    "cut question": query[:20],
    "a response": query[:2] + b"\x81\x80" + query[4:],
    "two questions": query[:4] + b"\x00\x02" + query[6:],
    "label past the end": query[:12] + b"\x3f" + b"x" * 10,
    "oversized": query + b"\x00" * 3000,
}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for what, datagram in sent.items():
    s.sendto(datagram, server)
    try:
        s.recvfrom(4096)
        print("answered:", what)
        sys.exit(1)
    except socket.timeout:
        pass
s.sendto(query, server)
answer, _ = s.recvfrom(4096)
assert answer[:2] == b"\xab\xcd" and answer[-4:] == bytes([10, 200, 6, 2]), answer
print("%d bad datagrams unanswered; the next query answered" % len(sent))
PY
test_running "$TB_MNAMED" || test_fail "mnamed died"
test_say "$(cat "$TEST_TMP/garbage.out")"

tb_kill_tree TERM "$TB_MNAMED"
test_expect_exit "$TB_MNAMED" mnamed
grep -E 'mnamed: DNS answered' "$TEST_TMP/mnamed.log" | sed 's/^/    /'
grep -qE 'dropped [1-9][0-9]* malformed, 1 oversized' "$TEST_TMP/mnamed.log" || test_fail "mnamed did not count the drops"
test_say "PASS"
