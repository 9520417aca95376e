#!/usr/bin/env bash
# One source cannot take mnamed from the others. A source (127.0.0.2) holds
# all the server's watch slots: its next watch gets 429, another source's
# watch 503, but another source's lookups (127.0.0.3, and 127.0.0.1 through
# mnamed lookup) are answered at once. A source (127.0.0.4) holding all its
# connections gets 429 on the next one, and lookups from elsewhere go on.
# One key's updates beyond its burst get 429, which mnamed register reports
# as too many requests; the key may update again a moment later.
# Usage: mnamed_limits.sh MNAMED
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MNAMED -- "$@"
test_require_commands jq curl python3
WATCHES=8
for who in owner busy; do
  timeout 10 "$MNAMED" keygen --out "$TEST_TMP/$who.key" >/dev/null || test_fail "keygen $who failed"
done

cli_listen srv 90 "$MNAMED" serve -v --listen 127.0.0.1:0 --data-dir "$TEST_TMP/data" \
  --max-watches "$WATCHES" --max-watches-per-address "$WATCHES" --max-connections-per-address 12 \
  --update-rate 1 --update-burst 3 </dev/null
URL=http://127.0.0.1:$CLI_PORT
export MNAMED_SERVER=$URL
timeout 10 "$MNAMED" register --key "$TEST_TMP/owner.key" w.example 10.0.0.1:443 >"$TEST_TMP/w.json" ||
  test_fail "registration failed"
VERSION=$(jq .version "$TEST_TMP/w.json")

# status FROM PATH: the HTTP status of GET PATH from source address FROM (10 s at most).
status() { curl -s -o "$TEST_TMP/answer.json" -w '%{http_code}' --max-time 10 --interface "$1" "$URL$2" || true; }

# --- watches ------------------------------------------------------------------
for ((i = 1; i <= WATCHES; i++)); do
  cli_spawn 80 curl -s --interface 127.0.0.2 -o "$TEST_TMP/watch$i.out" \
    "$URL/v1/watch/w.example?after=$VERSION&wait=60" </dev/null
done
# A watch with wait=0 answers at once (204) while there is a slot, 429 once all are held.
all_watches_held() { [[ $(status 127.0.0.2 "/v1/watch/w.example?after=$VERSION&wait=0") == 429 ]]; }
test_wait_until 10 all_watches_held || test_fail "the server never refused a watch from 127.0.0.2 beyond $WATCHES"
jq -e '.error | test("too many watches from this address")' "$TEST_TMP/answer.json" >/dev/null ||
  test_fail "429 for a watch says $(cat "$TEST_TMP/answer.json")"
test_say "127.0.0.2 holds all $WATCHES watch slots; its next watch gets 429"
got=$(status 127.0.0.3 "/v1/watch/w.example?after=$VERSION&wait=0")
[[ $got == 503 ]] || test_fail "a watch from 127.0.0.3 got $got, expected 503 (all slots held): $(cat "$TEST_TMP/answer.json")"
test_say "a watch from 127.0.0.3 gets 503: the server holds as many as it may"

for ((i = 1; i <= 20; i++)); do
  got=$(curl -s -o "$TEST_TMP/lookup.json" -w '%{http_code} %{time_total}' --max-time 5 --interface 127.0.0.3 \
    "$URL/v1/names/w.example")
  [[ ${got% *} == 200 ]] || test_fail "lookup $i from 127.0.0.3 answered $got"
  jq -e '.addresses == ["10.0.0.1:443"]' "$TEST_TMP/lookup.json" >/dev/null || test_fail "lookup $i: $(cat "$TEST_TMP/lookup.json")"
done
test_say "20 lookups from 127.0.0.3 answered meanwhile (the last in ${got#* } s)"
timeout 10 "$MNAMED" lookup --no-pin w.example >/dev/null || test_fail "mnamed lookup from 127.0.0.1 failed"
test_say "mnamed lookup from 127.0.0.1 answered too"

# --- connections --------------------------------------------------------------
# 12 idle connections from 127.0.0.4, then a 13th that asks for the record.
timeout 20 python3 - "$CLI_PORT" >"$TEST_TMP/connections.out" 2>&1 <<'PY' || test_fail "connections: $(cat "$TEST_TMP/connections.out")"
import socket, sys
port = int(sys.argv[1])
def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.4", 0))
    return s
held = [connect() for _ in range(12)]
extra = connect()
extra.sendall(b"GET /v1/names/w.example HTTP/1.1\r\nHost: x\r\n\r\n")
answer = b""
while True:
    chunk = extra.recv(4096)
    if not chunk:
        break
    answer += chunk
first = answer.split(b"\r\n", 1)[0].decode()
assert first == "HTTP/1.1 429 Too Many Requests", answer
assert b"too many connections from this address" in answer, answer
print("13th connection from 127.0.0.4: " + first)
PY
test_say "$(cat "$TEST_TMP/connections.out")"
got=$(status 127.0.0.3 /v1/names/w.example)
[[ $got == 200 ]] || test_fail "a lookup from 127.0.0.3 after 127.0.0.4's connections got $got"

# --- updates of one key -------------------------------------------------------
refused=0
for i in 1 2 3 4 5; do
  if ! timeout 10 "$MNAMED" register --key "$TEST_TMP/busy.key" busy.example "10.0.0.$i:443" \
    >/dev/null 2>"$TEST_TMP/busy.log"; then
    refused=$i
    break
  fi
done
((refused > 0)) || test_fail "5 updates of one key at once, all accepted (burst 3)"
test_expect_grep "$TEST_TMP/busy.log" 'busy.example: .*too many requests' "the refused update"
test_say "update $refused of one key in a burst of 3: $(cat "$TEST_TMP/busy.log")"
updated_again() { timeout 10 "$MNAMED" register --key "$TEST_TMP/busy.key" busy.example 10.0.0.9:443 >/dev/null 2>&1; }
test_wait_until 5 updated_again || test_fail "the key could not update again"
test_say "a moment later the key updates again"
test_expect_grep "$TEST_TMP/srv.log" 'refused PUT busy.example .*rate limit' "the server log"
test_say PASS
