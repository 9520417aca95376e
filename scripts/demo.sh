#!/usr/bin/env bash
# msocket demonstration (run as root on Debian 12):
# a client behind a router talks to a server with mcat, 32 MiB each way at
# about 80 Mbit/s, while the client changes address three times, each time to
# a different subnet (delete the old address, then add the new one, as a phone
# does). The byte streams arrive intact and mcat reports how long each move
# took to recover. Everything lives in network namespaces this script creates
# and removes (also on Ctrl-C).
#
# Environment: DEMO_MIB (default 32) MiB per direction, DEMO_RATE (80mbit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

bash scripts/install-deps.sh
if [[ ! -f build/CMakeCache.txt ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
[[ -x build/tools/mcat/mcat ]] || echo "building mcat in build/ (first run only; a few minutes on 2 cores)"
cmake --build build -j 2 --target mcat >build/demo-build.log 2>&1 || {
  cat build/demo-build.log >&2
  echo "demo: building mcat failed" >&2
  exit 1
}
MCAT=$ROOT/build/tools/mcat/mcat

export MSOCKET_REQUIRE_NETNS=1 # a demo that cannot run is an error, not a skip
# shellcheck source=tests/netns/lib.sh source-path=SCRIPTDIR/..
source "$ROOT/tests/netns/lib.sh"
tb_require_root jq
[[ -x $MCAT ]] || test_fail "not an executable: $MCAT"

MIB=${DEMO_MIB:-32}
RATE=${DEMO_RATE:-80mbit}
SIZE=$((MIB * 1024 * 1024))
PORT=7000
MOVES=3

# after REGEX FILE: the part of the first matching log line from REGEX on
# (drops the timestamp and logger name).
after() { grep -oE -- "$1.*" "$2" | head -n 1; }

cat <<TEXT

msocket demo: an mcat connection that survives the client changing address

  client $TB_CLI_ADDR --- router --- server $TB_SRV_ADDR     ($RATE each way, tc tbf)
  server:  mcat -l -v -p $PORT            stdin: $MIB MiB random, stdout: file
  client:  mcat -v $TB_SRV_ADDR $PORT     stdin: $MIB MiB random, stdout: file
  the client moves $MOVES times during the transfer: 10.200.1.2 -> .3.2 -> .4.2 -> .5.2

TEXT

tb_topology_client_router_server
tb_rate_limit "$TB_RTR" "$TB_RTR_CLI_DEV" "$RATE"
tb_rate_limit "$TB_RTR" "$TB_RTR_SRV_DEV" "$RATE"
test_random_file "$TEST_TMP/up.bin" "$SIZE"
test_random_file "$TEST_TMP/down.bin" "$SIZE"
test_say "namespaces $TB_CLI, $TB_RTR, $TB_SRV ready"

tb_spawn "$TB_SRV" 300 "$MCAT" -l -v -p "$PORT" --stats "$TEST_TMP/srv.json" \
  <"$TEST_TMP/down.bin" >"$TEST_TMP/srv.out" 2>"$TEST_TMP/srv.log"
server=$TB_PID
test_wait_for_line "$TEST_TMP/srv.log" "listening on .*:$PORT" 10 || test_fail "server did not start"
test_say "server: $(after 'listening on' "$TEST_TMP/srv.log")"

started=$(test_now_us)
tb_spawn "$TB_CLI" 300 "$MCAT" -v --stats "$TEST_TMP/cli.json" "$TB_SRV_ADDR" "$PORT" \
  <"$TEST_TMP/up.bin" >"$TEST_TMP/cli.out" 2>"$TEST_TMP/cli.log"
client=$TB_PID
test_wait_for_line "$TEST_TMP/cli.log" 'connected to ' 10 || test_fail "client did not connect"
test_say "client: $(after 'connected to ' "$TEST_TMP/cli.log")"

for ((move = 1; move <= MOVES; move++)); do
  status=0
  test_wait_for_size "$TEST_TMP/cli.out" $((SIZE * move / (MOVES + 1))) 120 "$client" || status=$?
  ((status == 0)) || test_fail "the client stopped receiving at $(test_file_size "$TEST_TMP/cli.out") bytes"
  test_say "client has received $(($(test_file_size "$TEST_TMP/cli.out") >> 20)) of $MIB MiB, server $(($(test_file_size "$TEST_TMP/srv.out") >> 20)) of $MIB MiB"
  tb_move_client "10.200.$((move + 2)).2/24" "10.200.$((move + 2)).1"
  test_wait_for_count "$TEST_TMP/cli.log" 'migrated conn=' "$move" 30 || test_fail "the connection did not recover"
  line=$(grep -oE 'migrated conn=.*' "$TEST_TMP/cli.log" | sed -n "${move}p")
  test_say "  connection resumed: $line"
done

test_expect_exit "$client" "client mcat"
test_expect_exit "$server" "server mcat"
seconds=$(( ($(test_now_us) - started) / 1000 ))
test_expect_same "$TEST_TMP/up.bin" "$TEST_TMP/srv.out" "client -> server"
test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "server -> client"

echo
echo "recovery times reported by the client (mcat --stats):"
jq -r '.migrations | to_entries[] | "  move \(.key + 1): \(.value.recovery_ms) ms (\(.value.cause))"' "$TEST_TMP/cli.json"
jq -r '"  bytes sent \(.bytes_sent), received \(.bytes_received), flowpaths opened \(.flowpaths_opened)"' "$TEST_TMP/cli.json"
printf '  %d MiB each way in %d.%03d s, with %d address changes\n' "$MIB" $((seconds / 1000)) $((seconds % 1000)) "$MOVES"
echo
echo "demo finished: both byte streams intact across $MOVES moves"
