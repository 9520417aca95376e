#!/usr/bin/env bash
# Multipath pays (paper §III-C, Fig. 10): over two real paths rate-limited by
# tc tbf (eth0 40 Mbit/s, eth1 20 Mbit/s), a download striped with the
# default scheduler beats the best single path measured in the same run,
# and the bytes arrive intact. The floor is generous (1.15x the best path,
# which the paper's Ideal puts at 1.5x); the exact ratios are reported.
# Usage: multipath_aggregate.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
tb_require_root jq

SIZE=$((16 * 1024 * 1024))
SUM_MBIT=60
tb_topology_two_paths 40mbit 20mbit
test_random_file "$TEST_TMP/down.bin" "$SIZE"

# download LABEL CLIENT-ARGS...: one download; sets GOODPUT_KBIT, from the
# first byte received to the client's exit (connection set-up excluded).
# Its files are then renamed LABEL-cli.json, LABEL-cli.log, LABEL-srv.log.
download() {
  local label=$1 first end bytes file
  shift
  tb_start_download 0.5 --scheduler default -- "$@"
  test_wait_for_size "$TEST_TMP/cli.out" 1 20 "$TB_CLIENT" || test_fail "$label: no byte arrived"
  first=$(test_now_us)
  test_expect_exit "$TB_CLIENT" "$label client"
  end=$(test_now_us)
  test_expect_exit "$TB_SERVER" "$label server"
  test_expect_same "$TEST_TMP/down.bin" "$TEST_TMP/cli.out" "$label"
  bytes=$(test_file_size "$TEST_TMP/cli.out")
  GOODPUT_KBIT=$((bytes * 8 * 1000 / (end - first)))
  test_say "$label: $((GOODPUT_KBIT / 1000)).$((GOODPUT_KBIT % 1000 / 100)) Mbit/s; by path: $(jq -c '[.paths[] | {path, local, bytes_received}]' "$TEST_TMP/cli.json")"
  for file in cli.json cli.log srv.log; do mv "$TEST_TMP/$file" "$TEST_TMP/$label-$file"; done
}

download single -s 10.210.1.2
single=$GOODPUT_KBIT
download multipath -s 10.210.1.2 -s 10.210.2.2
multi=$GOODPUT_KBIT

jq -e '[.paths[] | select(.bytes_received > 0)] | length == 2' "$TEST_TMP/multipath-cli.json" >/dev/null ||
  test_fail "both paths must carry data: $(jq -c .paths "$TEST_TMP/multipath-cli.json")"
ratio=$((multi * 100 / single))
test_say "two paths / best single path: $((ratio / 100)).$(printf %02d $((ratio % 100)))x;" \
  "two paths / sum of rates: 0.$(printf %02d $((multi / SUM_MBIT / 10)))"
((multi * 100 >= single * 115)) ||
  test_fail "two paths gave $multi kbit/s, not clearly more than the best single path's $single kbit/s"
test_say "PASS"
