#!/usr/bin/env bash
# A server move with 200 connections on it: `mbench scale --server-move`
# runs the library's acceptor (mbench scale-listen, which echoes) in the
# server's namespace of the recovery testbed (RTT 50 ms, emulated between
# the client and the router) and one client process (mbench scale-connect)
# holding 200 connections to it; the listener's address moves once. Every
# connection must migrate and then echo a fresh message exactly (mbench
# fails otherwise); the RECONNECTs go out in one batch. Prints p50, p90 and
# max in RTTs from the ip command; nothing may be left behind. The p90 is
# reported, not judged: the machine's load decides the milliseconds.
# Usage: scale_server_move.sh MBENCH
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MBENCH -- "$@"
tb_require_root python3

CONNECTIONS=200
test_run server-move 0 90 env TMPDIR="$TEST_TMP" "$MBENCH" scale --server-move --connections "$CONNECTIONS" \
  --rtt 50ms --moves 1 --logs "$TEST_TMP/logs" --json "$TEST_TMP/server-move.json" --csv "$TEST_TMP/server-move.csv"
tb_expect_mbench_gone "$TEST_RUN_PID" scale
sed 's/^/    /' "$TEST_TMP/server-move.out"

test_check_report "$TEST_TMP/server-move.json" "$TEST_TMP/server-move.csv" "$CONNECTIONS" <<'PY'
n = int(arguments[0])
(case,) = report["samples"]["server_moves"]
assert case["connections"] == n and case["exact_echoes_after"] == [n], case["exact_echoes_after"]
migrated = case["migrated_ms"]
assert len(migrated) == n and all(math.isfinite(v) and v > 0 for v in migrated), migrated
rows = {r["key"]: r["value"] for r in report["measurements"]}
key = "server_move_n%d_rtt50_migrated_" % n
assert rows[key + "p50_rtt"] <= rows[key + "p90_rtt"] <= rows[key + "max_rtt"], rows
assert [r["key"] for r in csv_rows if not r["key"].startswith("target_")] == [r["key"] for r in report["measurements"]]
print("server move, %d connections, RTT 50 ms: every one migrated and echoed exactly; from the ip command "
      "p50 %.2f, p90 %.2f, max %.2f RTT (target p90 <= 2.5); %s"
      % (n, rows[key + "p50_rtt"], rows[key + "p90_rtt"], rows[key + "max_rtt"], report["notes"][-1]))
PY
# One batch: the listener sent the 200 RECONNECTs of the move in one round
# of sendmmsg calls, not one after another.
test_expect_grep "$TEST_TMP/logs/n$CONNECTIONS/listener.log" "RECONNECT round 1: $CONNECTIONS sent" "the listener's log"
test_say "PASS"
