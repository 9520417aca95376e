#!/usr/bin/env bash
# Failures are reported, not crashed on, with ncat's exit codes: 2 for a
# usage error (the message names what is wrong), 1 for a network error (one
# `mcat: ...` line saying what happened), 0 for --help and --version.
# Usage: errors.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands socat

# run NAME STATUS SECONDS ARGS...: run mcat (test_run: stdout in
# $TEST_TMP/NAME.out, stderr in $TEST_TMP/NAME.log); fail unless it exits
# STATUS within SECONDS; set ELAPSED_MS.
ELAPSED_MS=0
run() {
  local name=$1
  test_run "$name" "$2" "$3" "$MCAT" "${@:4}"
  ELAPSED_MS=$TEST_RUN_MS
  test_say "$name: exit $2 in ${ELAPSED_MS} ms: $(cat "$TEST_TMP/$name.log" "$TEST_TMP/$name.out" | grep -m1 . || true)"
}

# expect_log NAME REGEX: stderr of run NAME has a line matching REGEX.
expect_log() { test_expect_grep "$TEST_TMP/$1.log" "$2" "$1"; }

# --- usage errors: exit 2 -----------------------------------------------------
run bogus 2 10 --bogus 127.0.0.1 1
expect_log bogus '^mcat: .*--bogus'
expect_log bogus '^usage: mcat'

run no_port 2 10 127.0.0.1
expect_log no_port '^mcat: .*(PORT|port)'
run listen_no_port 2 10 -l
expect_log listen_no_port '^mcat: .*port'

run bad_time 2 10 -w abc 127.0.0.1 1
expect_log bad_time "^mcat: .*(-w|--wait).*abc"
run bad_suffix 2 10 -i 5parsecs 127.0.0.1 1
expect_log bad_suffix "^mcat: .*idle-timeout.*5parsecs"

run bad_scheduler 2 10 --scheduler fastest 127.0.0.1 1
expect_log bad_scheduler "^mcat: --scheduler .*'fastest'"
run prefer_listen 2 10 -l --prefer eth0 7000
expect_log prefer_listen '^mcat: --prefer is for connecting'
run prefer_long_name 2 10 --prefer an-interface-name-too-long 127.0.0.1 1
expect_log prefer_long_name "^mcat: --prefer wants an interface name"

run relays_too_many 2 10 -l --names http://127.0.0.1:1 --name srv --key k --proxy 127.0.0.2:7400 --relays 2 0
expect_log relays_too_many "^mcat: --relays 2 needs as many --proxy relays, got 1"
run relays_zero 2 10 -l --names http://127.0.0.1:1 --name srv --key k --proxy 127.0.0.2:7400 --relays 0 0
expect_log relays_zero "^mcat: --relays wants a count of 1 or more, got 0"
run proxy_auto_count 2 10 -l --names http://127.0.0.1:1 --name srv --key k --proxy auto=many 0
expect_log proxy_auto_count "^mcat: --proxy auto wants a count from 1 to 8 \(auto=K\), got 'auto=many'"
run proxy_auto_mixed 2 10 -l --names http://127.0.0.1:1 --name srv --key k --proxy auto --proxy 127.0.0.2:7400 0
expect_log proxy_auto_mixed "^mcat: --proxy auto is given alone"

run both_families 2 10 -4 -6 -l 0
expect_log both_families '^mcat: -4 and -6 exclude each other'
run v4_with_v6_address 2 10 -4 -l ::1 0
expect_log v4_with_v6_address '^mcat: -4 does not go with the address ::1'
run v6_with_v4_address 2 10 -6 127.0.0.1 1
expect_log v6_with_v4_address '^mcat: -6 does not go with the address 127\.0\.0\.1'
run exec_and_sh_exec 2 10 -l -e /bin/cat -c cat 127.0.0.1 0
expect_log exec_and_sh_exec '^mcat: .*-e.*-c'
run forward_without_listen 2 10 --forward 127.0.0.1:22 127.0.0.1 1
expect_log forward_without_listen '^mcat: .*--forward'
run forward_bad 2 10 -l --forward nocolon 127.0.0.1 0
expect_log forward_bad '^mcat: .*--forward.*nocolon'
run local_with_listen 2 10 -l --local 127.0.0.1:0 127.0.0.1 0
expect_log local_with_listen '^mcat: .*--local'

# --- --help and --version: exit 0 ---------------------------------------------
run help 0 10 --help
test_expect_grep "$TEST_TMP/help.out" '--forward' "--help lists --forward"
test_expect_grep "$TEST_TMP/help.out" '^usage: mcat' "--help usage line"
run version 0 10 --version
test_expect_grep "$TEST_TMP/version.out" '^mcat .*[0-9]+\.[0-9]+' "--version"

# --- network errors: exit 1 ---------------------------------------------------
# Refused: a port that was just listened on and is closed again.
cli_listen closed_server 10 "$MCAT" -l -v 127.0.0.1 0 </dev/null >/dev/null
closed_port=$CLI_PORT
kill -TERM "$CLI_PID"
status=0; test_wait_pid "$CLI_PID" || status=$?
run refused 1 10 127.0.0.1 "$closed_port"
expect_log refused '^mcat: .*[Rr]efused'

run unknown_host 1 20 no-such-host.invalid 7
expect_log unknown_host '^mcat: .*unknown host'

# A TCP server that accepts and never answers: -w bounds the handshake.
cli_listen silent_server 30 socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1 GOPEN:/dev/null </dev/null >/dev/null
silent=$CLI_PID
run silent 1 20 -w 300ms 127.0.0.1 "$CLI_PORT"
expect_log silent '^mcat: cannot connect to 127\.0\.0\.1:[0-9]+: handshake timed out'
((ELAPSED_MS <= 3000)) || test_fail "-w 300ms against a silent server took ${ELAPSED_MS} ms"
kill -TERM "$silent" 2>/dev/null || true
test_wait_pid "$silent" || true

# A plain TCP server that answers something else (HTTP) and then echoes.
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello\r\n' >"$TEST_TMP/http.txt"
cli_listen http_server 30 socat -d -d TCP-LISTEN:0,bind=127.0.0.1 EXEC:"cat -- $TEST_TMP/http.txt -" </dev/null >/dev/null
http=$CLI_PID
run http 1 20 -w 2s 127.0.0.1 "$CLI_PORT"
expect_log http '^mcat: cannot connect to 127\.0\.0\.1:[0-9]+: .+'
[[ ! -s $TEST_TMP/http.out ]] || test_fail "the HTTP server's answer reached stdout"
status=0; test_wait_pid "$http" || status=$?

# Every failure above is one message, never a crash (status >= 128).
for log in "$TEST_TMP"/*.log; do
  ! grep -qiE 'terminate called|Assertion|Segmentation|AddressSanitizer|runtime error' "$log" ||
    test_fail "${log##*/} shows a crash: $(head -c 300 "$log")"
done
test_say PASS
