#!/usr/bin/env bash
# The programs a listener runs for -e and -c start with a clean slate and
# are reaped when they exit:
#  - only descriptors 0, 1 and 2 reach them, not even one mcat inherited
#    without close-on-exec (`ls -l /proc/self/fd` lists ls's own directory too);
#  - no standard signal is ignored there (mcat ignores SIGPIPE, and here also
#    inherits SIGUSR2 ignored), and none is blocked;
#  - after 50 connections one after the other to `mcat -l -k -e cat`, the
#    listener has no zombie children.
# Usage: exec_hygiene.sh MCAT
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
test_arguments MCAT -- "$@"
test_require_commands ls ps awk

# run_once NAME CHILD_OPTION CHILD: one connection to `mcat -l -e/-c CHILD`;
# what the child printed goes to $TEST_TMP/NAME.out, the listener's SigIgn
# to listener_ignored.
run_once() {
  cli_listen "$1" 20 "$MCAT" -l -v "$2" "$3" 127.0.0.1 0 </dev/null >/dev/null
  local server=$CLI_PID
  listener_ignored=$(awk '/^SigIgn:/ { print $2 }' "/proc/$(cli_child_pid "$server")/status")
  cli_spawn 20 "$MCAT" 127.0.0.1 "$CLI_PORT" </dev/null >"$TEST_TMP/$1.out" 2>"$TEST_TMP/$1-client.log"
  test_expect_exit "$CLI_PID" "client of $1" 0
  test_expect_exit "$server" "$1 listener" 0
}

# --- descriptors --------------------------------------------------------------
exec {leak}</dev/null  # open without close-on-exec: mcat inherits it
cli_listen fds 20 "$MCAT" -l -v -e 'ls -l /proc/self/fd' 127.0.0.1 0 </dev/null >/dev/null
server=$CLI_PID
cli_fd_open "$(cli_child_pid "$server")" "$leak" || test_fail "mcat did not inherit descriptor $leak"
cli_spawn 20 "$MCAT" 127.0.0.1 "$CLI_PORT" </dev/null >"$TEST_TMP/fds.out" 2>"$TEST_TMP/fds-client.log"
test_expect_exit "$CLI_PID" "client of ls -l /proc/self/fd" 0
test_expect_exit "$server" "ls -l /proc/self/fd listener" 0
exec {leak}<&-
# Lines `... FD -> TARGET`: 0, 1 and 2, and the directory ls is reading.
awk '/ -> / { print $(NF-2), $NF }' "$TEST_TMP/fds.out" >"$TEST_TMP/fds.list"
for fd in 0 1 2; do
  grep -q "^$fd " "$TEST_TMP/fds.list" || test_fail "the child has no descriptor $fd: $(cat "$TEST_TMP/fds.out")"
done
extra=$(awk '$1 > 2 && $2 !~ "^/proc/[0-9]+/fd$"' "$TEST_TMP/fds.list")
[[ -z $extra ]] || test_fail "the child inherited descriptors beyond 0, 1, 2: $extra"
test_say "-e child's descriptors: $(awk '{ print $1 }' "$TEST_TMP/fds.list" | paste -sd ' ') (the last is ls's own)"

# --- signals ------------------------------------------------------------------
trap '' USR2  # ignored here, so in mcat too
run_once signals -e 'grep -E ^Sig(Ign|Blk): /proc/self/status'
trap - USR2
ignored=$(awk '/^SigIgn:/ { print $2 }' "$TEST_TMP/signals.out")
blocked=$(awk '/^SigBlk:/ { print $2 }' "$TEST_TMP/signals.out")
[[ $ignored =~ ^[0-9a-f]{16}$ && $blocked =~ ^[0-9a-f]{16}$ ]] ||
  test_fail "no SigIgn/SigBlk from the child: $(cat "$TEST_TMP/signals.out")"
# Signal N is bit N-1: 1 to 31 are the low 31 bits (SIGPIPE, 13, is 0x1000;
# SIGUSR2, 12, 0x800). glibc's posix_spawn leaves its two internal signals,
# 32 and 33, ignored: no program uses them.
(((0x$ignored & 0x7fffffff) == 0)) || test_fail "the child ignores standard signals: SigIgn $ignored"
((0x$blocked == 0)) || test_fail "the child blocks signals: SigBlk $blocked"
(((0x$listener_ignored & 0x1800) == 0x1800)) ||
  test_fail "mcat should ignore SIGPIPE and SIGUSR2 for this test to mean something: SigIgn $listener_ignored"
test_say "-e child: SigIgn $ignored, SigBlk $blocked; the listener's SigIgn $listener_ignored"

# --- reaping ------------------------------------------------------------------
cli_listen reap 60 "$MCAT" -l -k -v -e cat 127.0.0.1 0 </dev/null >/dev/null
server=$CLI_PID
listener_pid=$(cli_child_pid "$server")
for n in $(seq 1 50); do
  printf 'connection %s\n' "$n" >"$TEST_TMP/line.in"
  cli_spawn 10 "$MCAT" 127.0.0.1 "$CLI_PORT" <"$TEST_TMP/line.in" >"$TEST_TMP/line.out" 2>"$TEST_TMP/reap-client.log"
  test_expect_exit "$CLI_PID" "client $n of -k -e cat" 0
  cmp -s "$TEST_TMP/line.in" "$TEST_TMP/line.out" || test_fail "client $n got '$(cat "$TEST_TMP/line.out")' back"
done
test_say "50 connections echoed by -e cat, one after the other"
# Each cat exits once its connection ends, a moment after the client: wait
# (5 s at most) until none is left, zombie or not.
children() { ps --ppid "$listener_pid" -o pid=,stat=,comm= || true; }
no_children() { [[ -z $(children) ]]; }
test_wait_until 5 no_children || {
  zombies=$(children | awk '$2 ~ /^Z/' | wc -l)
  test_fail "the listener still has children ($zombies zombies): $(children | head -n 5 | paste -sd ';')"
}
test_running "$server" || test_fail "the -k listener exited"
test_say "no zombie (nor any child) left under the listener"
test_say PASS
