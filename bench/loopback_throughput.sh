#!/usr/bin/env bash
# Throughput of one transfer on loopback: mcat against socat (plain TCP, the
# same tool shape), in the same run. Prints goodput, CPU seconds of sender and
# receiver, their peak memory, and mcat's ratio to each baseline.
#   bench/loopback_throughput.sh [MCAT] [SIZE_MIB]
set -euo pipefail
MCAT=${1:-build/tools/mcat/mcat}
SIZE_MIB=${2:-1024}
BYTES=$((SIZE_MIB * 1024 * 1024))
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"' EXIT

fmt='%e %U %S %M'
# run NAME SERVER_CMD CLIENT_CMD: the server command reads the port from $PORT.
run() {
  local name=$1 server=$2 client=$3 port
  port=$(( 20000 + RANDOM % 20000 ))
  PORT=$port /usr/bin/time -f "$fmt" -o "$TMP/$name.srv" timeout 120 bash -c "$server" 2>"$TMP/$name.log" &
  local spid=$! deadline=$((SECONDS + 10))
  until ss -ltn "sport = :$port" | grep -q LISTEN; do
    (( SECONDS < deadline )) || { echo "$name: server did not start" >&2; exit 1; }
    sleep 0.05
  done
  local t0=${EPOCHREALTIME/./}
  PORT=$port /usr/bin/time -f "$fmt" -o "$TMP/$name.cli" timeout 120 bash -c "head -c $BYTES /dev/zero | $client"
  wait "$spid"
  local t1=${EPOCHREALTIME/./}
  read -r _ su ss sm < "$TMP/$name.srv"
  read -r _ cu cs cm < "$TMP/$name.cli"
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
  awk -v n="$name" -v s="$secs" -v B="$BYTES" -v su="$su" -v ss="$ss" -v cu="$cu" -v cs="$cs" -v sm="$sm" -v cm="$cm" \
    'BEGIN { printf "%-14s %8.1f MiB/s  %6.2f s  cpu %5.2f s (recv %.2f + send %.2f)  peak RSS recv %d KiB send %d KiB\n",
             n, B / 1048576 / s, s, su + ss + cu + cs, su + ss, cu + cs, sm, cm }'
  echo "$name $secs $(awk -v a="$su" -v b="$ss" -v c="$cu" -v d="$cs" 'BEGIN { print a + b + c + d }')" >> "$TMP/results"
}

echo "loopback transfer of $SIZE_MIB MiB (CPU includes head(1) on the sending side)"
run mcat "exec $MCAT -l 127.0.0.1 \$PORT </dev/null >/dev/null" "$MCAT 127.0.0.1 \$PORT >/dev/null"
run socat "exec socat -u TCP-LISTEN:\$PORT,reuseaddr OPEN:/dev/null" "socat -u - TCP:127.0.0.1:\$PORT"
run socat-b128k "exec socat -b 131072 -u TCP-LISTEN:\$PORT,reuseaddr OPEN:/dev/null" "socat -b 131072 -u - TCP:127.0.0.1:\$PORT"
awk '{ t[$1] = $2; c[$1] = $3 } END {
  for (b in t) if (b != "mcat")
    printf "mcat/%s: throughput ratio %.2f, CPU ratio %.2f\n", b, t[b] / t["mcat"], c["mcat"] / c[b] }' "$TMP/results"
