#!/usr/bin/env bash
# mnamed serve --dns on loopback: dig finds a registered name's A, AAAA, SRV
# and TXT (the owner key), an unknown name is NXDOMAIN, a name outside the
# zone REFUSED, and a long answer comes whole over TCP (dig +tcp); malformed
# and oversized datagrams get no answer and mnamed goes on answering;
# --dns and --zone go together (exit 2 otherwise).
# Usage: mnamed_dns.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq dig python3

test_run zone_alone 2 10 "$MNAMED" serve --data-dir "$TEST_TMP/unused" --zone names.test
test_expect_grep "$TEST_TMP/zone_alone.log" 'zone goes with --dns' "--zone alone"
test_run dns_alone 2 10 "$MNAMED" serve --data-dir "$TEST_TMP/unused" --dns 127.0.0.1:0
test_expect_grep "$TEST_TMP/dns_alone.log" 'dns needs --zone' "--dns alone"
test_run bad_zone 2 10 "$MNAMED" serve --data-dir "$TEST_TMP/unused" --dns 127.0.0.1:0 --zone 'a b'
test_say "--zone without --dns, --dns without --zone, a bad zone: exit 2"

cli_listen srv 60 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$TEST_TMP/data" \
  --dns 127.0.0.1:0 --zone Names.Test --dns-ttl 30s </dev/null
URL=http://127.0.0.1:$CLI_PORT
test_wait_for_line "$TEST_TMP/srv.log" 'mnamed: serving DNS for Names.Test on 127.0.0.1:[0-9]+ \(UDP and TCP\)' 5 ||
  test_fail "no DNS status line"
DNS_PORT=$(grep -m1 -oE 'serving DNS for .* on 127.0.0.1:[0-9]+' "$TEST_TMP/srv.log" | sed -E 's/.*:([0-9]+)$/\1/')
test_say "DNS on 127.0.0.1:$DNS_PORT"
q() { timeout 10 dig +time=1 +tries=1 -p "$DNS_PORT" @127.0.0.1 "$@"; }

"$MNAMED" keygen --out "$TEST_TMP/owner.key" >"$TEST_TMP/owner.pub"
"$MNAMED" register --server "$URL" --key "$TEST_TMP/owner.key" --ttl 10s \
  phone 192.0.2.7:7000 '[2001:db8::7]:7000' 192.0.2.8:7001 >/dev/null
[[ $(q +short phone.names.test A | sort | paste -sd,) == 192.0.2.7,192.0.2.8 ]] ||
  test_fail "A: $(q +short phone.names.test A)"
[[ $(q +short PHONE.names.test AAAA) == 2001:db8::7 ]] || test_fail "AAAA: $(q +short PHONE.names.test AAAA)"
[[ $(q +short phone.names.test SRV | sort | paste -sd,) == "0 0 7000 phone.names.test.,0 0 7001 phone.names.test." ]] ||
  test_fail "SRV: $(q +short phone.names.test SRV)"
[[ $(q +short phone.names.test TXT) == "\"$(cat "$TEST_TMP/owner.pub")\"" ]] || test_fail "TXT: $(q +short phone.names.test TXT)"
q phone.names.test A >"$TEST_TMP/a.dig"
test_expect_grep "$TEST_TMP/a.dig" 'flags: qr aa rd;' "an authoritative answer"
ttl=$(awk '$1 == "phone.names.test." && $4 == "A" { print $2; exit }' "$TEST_TMP/a.dig")
((ttl <= 10)) || test_fail "the TTL ($ttl s) outlives the record (10 s)"
test_say "A, AAAA, SRV and TXT (the owner key) of phone.names.test; TTL $ttl s, within the record's 10 s"

q nobody.names.test A >"$TEST_TMP/nobody.dig"
test_expect_grep "$TEST_TMP/nobody.dig" 'status: NXDOMAIN' "an unknown name"
test_expect_grep "$TEST_TMP/nobody.dig" 'names.test\..*SOA.*mnamed\.names\.test\. hostmaster\.names\.test\.' "the SOA"
q example.com A >"$TEST_TMP/outside.dig"
test_expect_grep "$TEST_TMP/outside.dig" 'status: REFUSED' "a name outside the zone"
test_say "unknown: NXDOMAIN with the SOA; outside the zone: REFUSED"

# 16 AAAA of a long name: over 512 bytes, truncated over UDP without EDNS; whole over TCP.
long=$(printf 'x%.0s' {1..24}); long=$long.$long.$long.$long  # 99 characters, labels of 24 (DNS: 63 at most)
addresses=()
for i in $(seq 1 16); do addresses+=("[2001:db8::$i]:7000"); done
"$MNAMED" register --server "$URL" --key "$TEST_TMP/owner.key" "$long" "${addresses[@]}" >/dev/null
q +noedns +ignore "$long.names.test" AAAA >"$TEST_TMP/udp.dig"
test_expect_grep "$TEST_TMP/udp.dig" 'flags: qr aa tc rd;' "a truncated UDP answer"
[[ $(q +tcp +short "$long.names.test" AAAA | wc -l) == 16 ]] || test_fail "TCP did not carry the 16 AAAA"
test_say "a 16-address answer: TC over UDP, whole over TCP"

python3 - "$DNS_PORT" >"$TEST_TMP/garbage.out" <<'PY' || test_fail "$(cat "$TEST_TMP/garbage.out")"
import socket, sys
server = ("127.0.0.1", int(sys.argv[1]))
query = bytes.fromhex("abcd01000001000000000000") + b"\x05phone\x05names\x04test\x00" + bytes.fromhex("00010001")
sent = [b"", b"\x12\x34\x01", query[:20], query[:2] + b"\x81\x80" + query[4:], query + b"\x00" * 3000,
        bytes(range(256)) * 2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.3)
for datagram in sent:
    s.sendto(datagram, server)
    try:
        s.recvfrom(4096)
        print("answered:", datagram[:16])
        sys.exit(1)
    except socket.timeout:
        pass
s.settimeout(3)
s.sendto(query, server)
answer, _ = s.recvfrom(4096)
assert answer[:2] == b"\xab\xcd", answer
print("%d bad datagrams unanswered; the next query answered" % len(sent))
PY
test_say "$(cat "$TEST_TMP/garbage.out")"
kill -TERM "$(test_child_pid "$CLI_PID")"
test_expect_exit "$CLI_PID" mnamed
test_expect_grep "$TEST_TMP/srv.log" 'mnamed: DNS answered [0-9]+ queries; dropped [1-9][0-9]* malformed, 1 oversized, 0 over the rate' \
  "the DNS counts at exit"
test_say PASS
