#!/usr/bin/env bash
# Multipath pays (paper §III-C, Fig. 10): over two real paths rate-limited by
# tc tbf (eth0 40 Mbit/s, eth1 20 Mbit/s), a download striped with the
# default scheduler beats the best single path measured in the same run,
# and the bytes arrive intact. The floor is generous (1.15x the best path,
# which the paper's Ideal puts at 1.5x); the exact ratios are reported.
# Usage: multipath_aggregate.sh MCAT
set -euo pipefail
MCAT=${1:?usage: multipath_aggregate.sh MCAT}
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_require_root jq
tb_require_exe "$MCAT"

SIZE=$((16 * 1024 * 1024))
SUM_MBIT=60
tb_topology_two_paths 40mbit 20mbit
tb_random_file "$TB_TMP/down.bin" "$SIZE"

# download LABEL CLIENT-ARGS...: one download; sets GOODPUT_KBIT, from the
# first byte received to the client's exit (connection set-up excluded).
download() {
  local label=$1 server client first end bytes
  shift
  # The data comes half a second after the start, once every flowpath is up.
  tb_spawn "$TB_SRV" 60 "$MCAT" -l -v -p 7000 --scheduler default < <(sleep 0.5; cat "$TB_TMP/down.bin") \
    2>"$TB_TMP/$label-srv.log"
  server=$TB_PID
  tb_wait_for_listen "$TB_SRV" 7000 10 || tb_fail "$label: the server did not listen"
  tb_spawn "$TB_CLI" 60 "$MCAT" -v "$@" --stats "$TB_TMP/$label.json" "$TB_SRV_ADDR" 7000 \
    </dev/null >"$TB_TMP/$label.out" 2>"$TB_TMP/$label-cli.log"
  client=$TB_PID
  tb_wait_for_size "$TB_TMP/$label.out" 1 20 "$client" || tb_fail "$label: no byte arrived"
  first=$(tb_now_us)
  tb_expect_exit "$client" "$label client"
  end=$(tb_now_us)
  tb_expect_exit "$server" "$label server"
  tb_expect_same "$TB_TMP/down.bin" "$TB_TMP/$label.out" "$label"
  bytes=$(tb_file_size "$TB_TMP/$label.out")
  GOODPUT_KBIT=$((bytes * 8 * 1000 / (end - first)))
  tb_say "$label: $((GOODPUT_KBIT / 1000)).$((GOODPUT_KBIT % 1000 / 100)) Mbit/s; by path: $(jq -c '[.paths[] | {path, local, bytes_received}]' "$TB_TMP/$label.json")"
}

download single -s 10.210.1.2
single=$GOODPUT_KBIT
download multipath -s 10.210.1.2 -s 10.210.2.2
multi=$GOODPUT_KBIT

jq -e '[.paths[] | select(.bytes_received > 0)] | length == 2' "$TB_TMP/multipath.json" >/dev/null ||
  tb_fail "both paths must carry data: $(jq -c .paths "$TB_TMP/multipath.json")"
ratio=$((multi * 100 / single))
tb_say "two paths / best single path: $((ratio / 100)).$(printf %02d $((ratio % 100)))x;" \
  "two paths / sum of rates: 0.$(printf %02d $((multi / SUM_MBIT / 10)))"
((multi * 100 >= single * 115)) ||
  tb_fail "two paths gave $multi kbit/s, not clearly more than the best single path's $single kbit/s"
tb_say "PASS"
