#!/usr/bin/env bash
# What a relay refuses, and what it does not let a flood take from others
# (docs/protocol.md §5), on the NAT testbed (tb_topology_nat) with three
# relays. Servers are behind NAT A; the client and the flooder behind NAT B.
#  6a. A server whose key is not the owner's of its name in mnamed cannot
#      reserve it: mcat exits 2 and says the key does not own the name.
#  6b. A relay with --max-reservations 2 refuses a third name: mcat exits 4
#      and says the relay is full. A relay with
#      --max-reservations-per-source 1 refuses a second name from the same
#      NAT: mcat exits 5 and says the relay limits its address.
#  6c. While one address floods a relay's control port with connections
#      that send nothing, garbage, or a hello and then nothing (held open),
#      a server from another address reserves there, and a client reaches
#      it by name and gets 4 MiB echoed exactly.
# Meanwhile no relay opens a connection to anyone but mnamed (nftables).
# Usage: proxy_refusals.sh MCAT MNAMED MPROXY
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT MNAMED MPROXY -- "$@"
tb_require_root jq ss nft curl

SIZE=$((4 * 1024 * 1024))
FLOOD_WAVE=100     # connections opened at a time by the flooder
FLOOD_SECONDS=10   # how long it goes on
PER_SOURCE=16      # mproxy's --max-per-source (its default)

tb_topology_nat 3
for relay in "${TB_RELAYS[@]}"; do tb_watch_connections "$relay" "$TB_PUB_ADDR"; done
tb_start_names "$MNAMED"
tb_start_relay "$MPROXY" 1 --max-reservations-per-source 1
tb_start_relay "$MPROXY" 2 --max-reservations 2
tb_start_relay "$MPROXY" 3 --max-per-source "$PER_SOURCE"
test_say "relays at ${TB_RELAY_ADDRS[*]} (port 7800; the first with --max-reservations-per-source 1, the second with --max-reservations 2)"

# proxied_server NAME PORT RELAY_INDEX [MCAT_OPTION...]: `mcat -l` in the
# server's namespace, as NAME (key NAME.key, made here unless it exists),
# reached through relay RELAY_INDEX; stderr NAME.log; waits until the name
# points at the relay. Sets TB_PID.
proxied_server() {
  local name=$1 port=$2 relay=${TB_RELAY_ADDRS[$3 - 1]}
  shift 3
  [[ -f $TEST_TMP/$name.key ]] || "$MNAMED" keygen --out "$TEST_TMP/$name.key" >/dev/null
  tb_spawn "$TB_SRV" 150 "$MCAT" -l -v --names "$TB_NAMES" --name "$name" --key "$TEST_TMP/$name.key" \
    --proxy "$relay:7800" -p "$port" "$@" <&0 2>"$TEST_TMP/$name.log"
  test_wait_for_line "$TEST_TMP/$name.log" "registered $name at $relay:[0-9]+" 15 ||
    test_fail "$name did not register the address of relay $3"
}

# refused_server NAME KEY PORT RELAY_INDEX STATUS REGEX: `mcat -l` as NAME
# with KEY through relay RELAY_INDEX must exit STATUS and say REGEX.
refused_server() {
  local name=$1 key=$2 port=$3 relay=${TB_RELAY_ADDRS[$4 - 1]} status=$5 regex=$6
  test_run "refused-$name" "$status" 20 ip netns exec "$TB_SRV" "$MCAT" -l --names "$TB_NAMES" --name "$name" \
    --key "$key" --proxy "$relay:7800" -p "$port"
  test_expect_grep "$TEST_TMP/refused-$name.log" "$regex" "mcat's message"
  test_say "   exit $status in $TEST_RUN_MS ms: $(grep -m1 'mcat:' "$TEST_TMP/refused-$name.log")"
}

# ---- 6a. not the name's owner -----------------------------------------------
proxied_server srv 7000 1 -k </dev/null >/dev/null
test_say "6a. srv reserved on relay 1 by its owner: $(tb_lookup "$MNAMED" srv | jq -c .addresses)"
"$MNAMED" keygen --out "$TEST_TMP/impostor.key" >/dev/null
refused_server srv "$TEST_TMP/impostor.key" 7001 2 2 'cannot reserve srv .*does not own the name'
test_expect_grep "$TEST_TMP/relay2.log" 'refused to reserve srv .*owned by another key in the name service' "relay 2's log"
[[ $(tb_relay_metric 2 'mproxy_refusals_total{reason="not_owner"}') == 1 ]] || test_fail "relay 2 counted no not_owner refusal"
[[ $(tb_relay_metric 2 mproxy_reservations) == 0 ]] || test_fail "relay 2 holds a reservation for the impostor"
tb_lookup "$MNAMED" srv | jq -e --arg relay "${TB_RELAY_ADDRS[0]}" '.addresses | all(startswith($relay + ":"))' >/dev/null ||
  test_fail "the name srv no longer points at relay 1: $(tb_lookup "$MNAMED" srv)"
test_say "    srv still points at relay 1 only"

# ---- 6b. a full relay -------------------------------------------------------
proxied_server one 7011 2 -k </dev/null >/dev/null
proxied_server two 7012 2 -k </dev/null >/dev/null
test_say "6b. one and two reserved on relay 2 ($(tb_relay_metric 2 mproxy_reservations) reservations)"
"$MNAMED" keygen --out "$TEST_TMP/three.key" >/dev/null
refused_server three "$TEST_TMP/three.key" 7013 2 4 'cannot reserve three .*relay is full'
[[ $(tb_relay_metric 2 'mproxy_refusals_total{reason="full"}') == 1 ]] || test_fail "relay 2 counted no 'full' refusal"
[[ -z $(tb_lookup "$MNAMED" three) ]] || test_fail "three was registered although no relay holds it"
"$MNAMED" keygen --out "$TEST_TMP/four.key" >/dev/null
refused_server four "$TEST_TMP/four.key" 7014 1 5 'cannot reserve four .*limits this address'
[[ $(tb_relay_metric 1 'mproxy_refusals_total{reason="limited"}') == 1 ]] ||
  test_fail "relay 1 (one name per address) counted no 'limited' refusal"
[[ $(tb_relay_metric 1 mproxy_reservations) == 1 ]] || test_fail "relay 1 holds more than srv's reservation"

# ---- 6c. a flood of bogus control connections from one address -------------
# From the client's namespace (the relay sees NAT B's address), waves of
# FLOOD_WAVE connections to relay 3's control port, each wave held until
# the next has opened: a quarter send nothing, a quarter an HTTP request, a
# quarter a length no message has, a quarter a valid hello and then nothing.
cat >"$TEST_TMP/flood.sh" <<'FLOOD'
trap '' PIPE
address=$1 port=$2 wave=$3 seconds=$4
opened=0 waves=0 held=() fd i
end=$((SECONDS + seconds))
while ((SECONDS < end)); do
  previous=("${held[@]}")
  held=()
  for ((i = 0; i < wave; i++)); do
    exec {fd}<>"/dev/tcp/$address/$port" 2>/dev/null || continue
    opened=$((opened + 1))
    case $((i % 4)) in
      1) printf 'GET / HTTP/1.0\r\n\r\n' >&"$fd" 2>/dev/null ;;
      2) printf '\xff\xff' >&"$fd" 2>/dev/null ;;
      3) printf '\x00\x1c{"type":"hello","version":1}' >&"$fd" 2>/dev/null ;;
    esac
    held+=("$fd")
  done
  waves=$((waves + 1))
  ((waves == 1)) && echo "first wave opened"
  sleep 0.5
  # Of this wave and the one before (still held): open, closed by the relay
  # (those that sent nothing), reset (those that sent bytes it did not read).
  open=$(ss -Htn state established dst "$address:$port" | wc -l)
  closed=$(ss -Htn state close-wait dst "$address:$port" | wc -l)
  echo "wave $waves: open $open, closed by the relay $closed, reset $((${#held[@]} + ${#previous[@]} - open - closed))"
  for fd in "${previous[@]}"; do exec {fd}>&-; done
done
echo "opened=$opened waves=$waves"
FLOOD
relay3=${TB_RELAY_ADDRS[2]}
tb_spawn "$TB_CLI" 60 bash "$TEST_TMP/flood.sh" "$relay3" 7800 "$FLOOD_WAVE" "$FLOOD_SECONDS" \
  </dev/null >"$TEST_TMP/flood.out" 2>"$TEST_TMP/flood.log"
flooder=$TB_PID
test_wait_for_line "$TEST_TMP/flood.out" 'wave 1:' 20 || test_fail "the flooder did not get going"
test_say "6c. flooding relay 3 from $TB_NAT_B_WAN: $(grep -m1 '^wave 1:' "$TEST_TMP/flood.out")"
limited_before=$(tb_relay_metric 3 'mproxy_refusals_total{reason="limited"}')

reserving=$(test_now_us)
test_random_file "$TEST_TMP/up.bin" "$SIZE"
proxied_server four 7004 3 -c cat </dev/null >/dev/null
TB_SERVER=$TB_PID
test_say "    four reserved on relay 3 from $TB_NAT_A_WAN in $((($(test_now_us) - reserving) / 1000)) ms, during the flood"
tb_start_exchange_client 120 "$SIZE" -v --names "$TB_NAMES" four
test_wait_for_line "$TEST_TMP/cli.log" "connected to $relay3:" 15 || test_fail "the client did not reach four through relay 3"
test_running "$flooder" || test_fail "the flood was over before the client connected; the test proves nothing"
test_expect_exit "$TB_CLIENT" client
test_expect_exit "$TB_SERVER" four
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/cli.out" "echo of $((SIZE >> 20)) MiB through relay 3"
test_running "$flooder" && test_say "    the flood was still going on when the echo ended"

status=0
test_wait_pid "$flooder" || status=$?
((status == 0)) || test_fail "the flooder failed (status $status)"
sed 's/^/      /' "$TEST_TMP/flood.out"
opened=$(grep -oE 'opened=[0-9]+' "$TEST_TMP/flood.out" | cut -d= -f2)
limited=$(tb_relay_metric 3 'mproxy_refusals_total{reason="limited"}')
most_open=$(grep -oE 'open [0-9]+' "$TEST_TMP/flood.out" | awk '$2 > max { max = $2 } END { print max + 0 }')
test_say "    of $opened flood connections, the relay refused $limited at once ($((limited - limited_before)) after the first wave);" \
  "at most $most_open were open at once"
((most_open <= PER_SOURCE)) || test_fail "one address held $most_open of relay 3's handshakes (limit $PER_SOURCE)"
((limited >= opened - 2 * PER_SOURCE * FLOOD_SECONDS)) || test_fail "relay 3 refused only $limited of $opened"
test_running "$TB_RELAY_PID" || test_fail "relay 3 stopped"

# As in proxy_nat: no relay dialled anyone but mnamed, whatever it was sent.
for ((i = 1; i <= 3; i++)); do
  relay=${TB_RELAYS[i - 1]}
  others=$(($(tb_connections_opened "$relay" to_others) + $(tb_connections_opened "$relay" other_flows)))
  ((others == 0)) || test_fail "relay $i opened $others connection(s) or flow(s) elsewhere than mnamed"
done
test_say "the relays opened connections to mnamed only ($(tb_connections_opened "${TB_RELAYS[0]}" to_names)," \
  "$(tb_connections_opened "${TB_RELAYS[1]}" to_names), $(tb_connections_opened "${TB_RELAYS[2]}" to_names) SYNs)"
test_say "PASS"
