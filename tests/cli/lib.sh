# shellcheck shell=bash
# Helpers for the command-line tests of mcat, mnamed and mbench on loopback
# (tests/cli/*.sh), after OpenBSD nc's regression tests: start
# `mcat -l -v 127.0.0.1 0`, read the port from its `listening on` line, send
# data through, compare. What every shell test needs (test_fail, test_say,
# the waits, the cleanup) is in tests/lib/common.sh; here is what loopback
# tests add: listeners on port 0, programs started without the test's own
# descriptors, and FIFOs the test holds to decide when an input ends.
#
#   source tests/cli/lib.sh
#   test_arguments MCAT -- "$@"
#   cli_listen srv 20 "$MCAT" -l -v 127.0.0.1 0 <in >"$TEST_TMP/srv.out"
#   cli_spawn 20 "$MCAT" 127.0.0.1 "$CLI_PORT" <in >out 2>"$TEST_TMP/cli.log"
#   test_expect_exit "$CLI_PID" client 0
#
# Only 127.0.0.1, only ports the kernel chose (port 0); every process runs
# under `timeout`.

# shellcheck source=../lib/common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh" cli

CLI_PID=
CLI_PORT=

# cli_spawn SECONDS CMD [ARGS...]: start CMD in the background, killed after
# SECONDS. Redirections on the call apply to CMD (stdin included). Sets
# CLI_PID (the pid of `timeout`); test_cleanup stops it if still running.
cli_spawn() {
  local seconds=$1
  shift
  # `<&0`: a background command otherwise gets /dev/null as stdin. The
  # command must not inherit the test's own descriptors: a held FIFO end
  # would keep its reader from ever seeing end of file.
  (
    for fd in "${CLI_HELD[@]}"; do exec {fd}>&-; done
    exec timeout -k 2 "$seconds" "$@" {TEST_OUT}>&- {TEST_ERR}>&-
  ) <&0 &
  CLI_PID=$!
  test_track "$CLI_PID"
}

# cli_fifo NAME: make the FIFO $TEST_TMP/NAME and hold it open (read-write,
# so the call does not block) in the test; its descriptor is CLI_FIFO_FD.
# A program started later with `<$TEST_TMP/NAME` reads what the test writes
# to that descriptor and sees end of file only at cli_fifo_close: the test
# decides when a program's input ends.
CLI_HELD=()
CLI_FIFO_FD=
cli_fifo() {
  mkfifo -- "$TEST_TMP/$1"
  exec {CLI_FIFO_FD}<>"$TEST_TMP/$1"
  CLI_HELD+=("$CLI_FIFO_FD")
}

# cli_fifo_write FD FILE: write FILE into a held FIFO (bounded: 20 s).
cli_fifo_write() {
  timeout 20 cat -- "$2" >&"$1" || test_fail "cannot write ${2##*/} into the FIFO"
}

# cli_fifo_close FD: end of file for the FIFO's reader.
cli_fifo_close() {
  local fd=$1 i
  exec {fd}>&-
  for i in "${!CLI_HELD[@]}"; do
    [[ ${CLI_HELD[$i]} == "$1" ]] && unset 'CLI_HELD[i]'
  done
  return 0
}

# cli_child_pid PID: the pid of the program `timeout` (pid PID) runs; waits
# 5 s at most for it to be started.
cli_child_pid() { test_child_pid "$1"; }

# True if process PID has descriptor FD open.
cli_fd_open() { [[ -e /proc/$1/fd/$2 ]]; }

# cli_listen NAME SECONDS CMD [ARGS...]: start a listener whose stderr goes to
# $TEST_TMP/NAME.log, wait (5 s at most) for its `listening on ADDR:PORT` line
# and set CLI_PORT to PORT and CLI_PID to its pid. For mcat -v, mnamed serve,
# and `socat -d -d`, whose line has the same shape.
cli_listen() {
  local name=$1 seconds=$2 log
  shift 2
  log="$TEST_TMP/$name.log"
  cli_spawn "$seconds" "$@" <&0 2>"$log"
  test_wait_for_line "$log" 'listening on .*:[0-9]+' 5 ||
    test_fail "$name never said 'listening on'"
  CLI_PORT=$(grep -m1 -oE 'listening on .*:[0-9]+' "$log" | sed -E 's/.*:([0-9]+)$/\1/')
  [[ $CLI_PORT =~ ^[0-9]+$ && $CLI_PORT != 0 ]] || test_fail "$name: no port in its 'listening on' line"
  test_say "$name listening on port $CLI_PORT"
}

# cli_render_manpage PAGE: man/PAGE passes `mandoc -Tlint -W warning` without
# a message and lists the exit statuses 0, 1 and 2; its rendered text,
# without the overstrike of bold and underline, goes to $TEST_TMP/page.txt.
cli_render_manpage() {
  local page status
  page=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/man/$1
  [[ -f $page ]] || test_fail "no manual page at $page"
  timeout 20 mandoc -Tlint -W warning "$page" >"$TEST_TMP/lint.log" 2>&1 || true
  [[ ! -s $TEST_TMP/lint.log ]] || test_fail "mandoc -Tlint -W warning: $(cat "$TEST_TMP/lint.log")"
  test_say "mandoc -Tlint -W warning: clean"
  timeout 20 mandoc -T ascii "$page" | sed 's/.\x08//g' >"$TEST_TMP/page.txt"
  for status in 0 1 2; do
    grep -qE "^     $status " "$TEST_TMP/page.txt" || test_fail "EXIT STATUS does not list $status"
  done
}

# cli_help_options HELP_FILE: the options a --help lists, one line each with
# its forms ("-l --listen", "--stats"). Option lines of --help look like
# `  -l [ --listen ]  ...` or `  --stats arg ...`.
cli_help_options() { grep -oE '^  (-[a-zA-Z0-9] \[ )?--[a-z0-9][a-z0-9-]*' "$1" | sed -E 's/^  //; s/ \[ / /'; }

# True if the rendered page names OPTION as an option, not inside a word:
# `--stats` but not `--stats-json`.
cli_page_has_option() { grep -qE -- "(^|[^a-z-])$1([^a-z-]|\$)" "$TEST_TMP/page.txt"; }
