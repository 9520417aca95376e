#!/usr/bin/env bash
# The user-space link emulator (mbench link, lib/testbed/tun_link.hpp) gives
# two namespaces, joined only by it, the delay, rate and loss it was asked for:
#   (a) 20 ms each way: no ping comes back early (minimum RTT at least
#       40 ms, less ping's rounding), and the median RTT is within 5% of
#       40 ms (the median, not the mean: one packet held up by a busy
#       machine says nothing about the emulator);
#   (b) 20 mbit: a bulk TCP transfer's goodput within 5% below what the rate
#       carries as TCP payload (see below);
#   (c) --loss 0.1 one way: a ping flood of 200 packets loses 5% to 15%.
# Each case runs its own emulator, in a third namespace, stopped by SIGTERM.
# Usage: link_emulator.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
tb_require_root ping socat awk

NS_A="$TB_ID-a"
NS_B="$TB_ID-b"
NS_LINK="$TB_ID-link"  # the emulator runs here: its devices are made here, then moved
ADDR_A=10.201.0.1
ADDR_B=10.201.0.2
tb_netns_add "$NS_A"
tb_netns_add "$NS_B"
tb_netns_add "$NS_LINK"

# start_link NAME OPTION...: start the emulator between A and B, wait for its
# 'link up' line. Sets LINK (pid) and LINK_LOG.
start_link() {
  LINK_LOG="$TEST_TMP/$1.log"
  shift
  tb_spawn "$NS_LINK" 120 "$MBENCH" link -v --ns-a "$NS_A" --addr-a "$ADDR_A" --ns-b "$NS_B" --addr-b "$ADDR_B" "$@" \
    </dev/null 2>"$LINK_LOG"
  LINK=$TB_PID
  test_wait_for_line "$LINK_LOG" '^link up: ' 10 || test_fail "mbench never said 'link up'"
  test_say "$(grep -m1 '^link up: ' "$LINK_LOG")"
}

# No device of ours left in A (they vanish with the emulator's descriptors).
a_has_no_tun() { ! ip -n "$NS_A" -o link show type tun | grep -q .; }

# stop_link: SIGTERM; the emulator must exit 0 and its devices must go.
stop_link() {
  kill -TERM "$LINK"
  test_expect_exit "$LINK" mbench
  test_wait_until 5 a_has_no_tun || test_fail "the TUN device stayed in $NS_A after mbench exited"
  test_say "  $(grep -E 'a->b: packets=' "$LINK_LOG" | sed 's/.*info: //')"
}

# within LOW VALUE HIGH: LOW <= VALUE <= HIGH (decimal numbers).
within() { awk -v l="$1" -v v="$2" -v h="$3" 'BEGIN { exit !(l <= v && v <= h) }'; }

# (a) Delay: 20 ms each way, no rate limit.
start_link delay --delay 20ms
ip netns exec "$NS_A" timeout 30 ping -n -c 20 -i 0.2 "$ADDR_B" >"$TEST_TMP/ping-delay.out" ||
  test_fail "ping through a 20 ms link failed: $(cat "$TEST_TMP/ping-delay.out")"
test_say "(a) ping RTT: $(grep '^rtt' "$TEST_TMP/ping-delay.out")"
sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$TEST_TMP/ping-delay.out" | sort -n >"$TEST_TMP/rtts"
count=$(wc -l <"$TEST_TMP/rtts")
((count == 20)) || test_fail "ping reported $count round trips, expected 20"
least=$(head -n 1 "$TEST_TMP/rtts")
median=$(awk '{ v[NR] = $1 } END { print (v[NR / 2] + v[NR / 2 + 1]) / 2 }' "$TEST_TMP/rtts")
within 39.5 "$least" 1000 || test_fail "a ping came back after $least ms, sooner than 2 x 20 ms"
within 38 "$median" 42 || test_fail "median RTT $median ms is not within 5% of 40 ms"
test_say "(a) least RTT $least ms, median $median ms for 2 x 20 ms (bounds: >= 39.5, 38..42 ms)"
stop_link

# (b) Rate: 20 mbit each way, 10 ms each way. Goodput is measured at the
# receiver over 4 s, from 1.5 s after the first bytes, so that TCP's start-up
# is left out. A full 1500-byte packet carries 1448 bytes of payload (20 bytes
# of IPv4 and 32 of TCP with timestamps: 3.5% overhead), so the most TCP can
# carry through 20 mbit is 19.31 Mbit/s; goodput must be within 5% below
# that (>= 18.35 Mbit/s) and never above the link rate.
start_link rate --delay 10ms --rate 20mbit
tb_spawn "$NS_B" 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$TEST_TMP/received.bin",creat,trunc \
  </dev/null 2>"$TEST_TMP/receiver.log"
receiver=$TB_PID
tb_wait_for_listen "$NS_B" 5001 10 || test_fail "socat never listened in $NS_B"
tb_spawn "$NS_A" 30 socat -u /dev/zero TCP:"$ADDR_B":5001 </dev/null 2>"$TEST_TMP/sender.log"
sender=$TB_PID
test_wait_for_size "$TEST_TMP/received.bin" 1 10 "$sender" || test_fail "no byte arrived through the 20 mbit link"
sleep 1.5
bytes1=$(test_file_size "$TEST_TMP/received.bin") t1=$(test_now_us)
sleep 4
bytes2=$(test_file_size "$TEST_TMP/received.bin") t2=$(test_now_us)
kill -TERM "$sender"
test_wait_pid "$sender" || true
test_wait_pid "$receiver" || true
goodput=$(awk -v b=$((bytes2 - bytes1)) -v us=$((t2 - t1)) 'BEGIN { printf "%.3f", b * 8 / us }')
test_say "(b) goodput $goodput Mbit/s: $((bytes2 - bytes1)) bytes in $((t2 - t1)) us" \
  "($(awk -v g="$goodput" 'BEGIN { printf "%.1f", g / 20 * 100 }')% of 20 mbit," \
  "$(awk -v g="$goodput" 'BEGIN { printf "%.1f", g / (20 * 1448 / 1500) * 100 }')% of the 19.31 Mbit/s payload rate)"
within 18.35 "$goodput" 20 || test_fail "goodput $goodput Mbit/s is not within 18.35..20 Mbit/s"
stop_link

# (c) Loss: 10% from A to B only, so that a lost request is the only way to
# lose a ping (10% both ways would lose 19% of round trips). The seed is fixed.
start_link loss --delay 5ms --loss 0.1 --loss-back 0 --seed 1
ip netns exec "$NS_A" timeout 60 ping -n -q -f -c 200 -W 1 "$ADDR_B" >"$TEST_TMP/ping-loss.out" || true
summary=$(grep 'packets transmitted' "$TEST_TMP/ping-loss.out") || test_fail "no ping summary: $(cat "$TEST_TMP/ping-loss.out")"
sent=$(awk '{ print $1 }' <<<"$summary")
received=$(awk '{ print $4 }' <<<"$summary")
((sent == 200)) || test_fail "ping sent $sent packets, expected 200"
loss=$(awk -v s="$sent" -v r="$received" 'BEGIN { printf "%.1f", (s - r) * 100 / s }')
test_say "(c) $summary"
within 5 "$loss" 15 || test_fail "ping lost $loss% through a 10% loss link (bound 5..15%)"
test_say "(c) loss $loss% for --loss 0.1 (bound 5..15%)"
stop_link

test_say "PASS"
