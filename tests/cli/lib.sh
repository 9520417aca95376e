# shellcheck shell=bash
# Helpers for the command-line tests of mcat on loopback (tests/cli/*.sh),
# after OpenBSD nc's regression tests: start `mcat -l -v 127.0.0.1 0`, read
# the port from its `listening on` line, send data through, compare.
#
#   source tests/cli/lib.sh
#   cli_require_exe "$MCAT"
#   cli_listen srv 20 "$MCAT" -l -v 127.0.0.1 0 <in >"$CLI_TMP/srv.out"
#   cli_spawn 20 "$MCAT" 127.0.0.1 "$CLI_PORT" <in >out 2>"$CLI_TMP/cli.log"
#   cli_expect_exit "$CLI_PID" client 0
#
# Rules kept here so that tests need not repeat them:
#  - only 127.0.0.1, only ports the kernel chose (port 0);
#  - every process runs under `timeout`, every wait has a deadline (no sleep
#    to synchronise: poll for a log line, a file size, an exit);
#  - cli_cleanup (trapped on EXIT, INT and TERM) stops what this run started,
#    by pid, and removes its files (logs are kept when the test failed).

CLI_PIDS=()
CLI_PID=
CLI_PORT=
CLI_FAILED=0
CLI_CLEANED=0
CLI_T0=${EPOCHREALTIME/./}
CLI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/msocket-cli.XXXXXX")
# The test's own output and errors, whatever a call's redirections say (the
# helpers are called with the redirections of the programs they start).
exec {CLI_OUT}>&1 {CLI_ERR}>&2

# Microseconds since the epoch.
cli_now_us() { echo "${EPOCHREALTIME/./}"; }

# Milliseconds since the library was sourced.
cli_elapsed_ms() { echo $(( ($(cli_now_us) - CLI_T0) / 1000 )); }

# Print a narrative line with the elapsed time.
cli_say() { printf '[%6sms] %s\n' "$(cli_elapsed_ms)" "$*" >&"$CLI_OUT"; }

# Fail the test: print the reason and the tail of every log, exit 1.
cli_fail() {
  CLI_FAILED=1
  exec 1>&"${CLI_OUT}" 2>&"${CLI_ERR}"
  printf 'FAIL: %s\n' "$*" >&2
  local log
  for log in "$CLI_TMP"/*.log; do
    [[ -f $log ]] || continue
    printf -- '----- %s (last 20 lines) -----\n' "${log##*/}" >&2
    tail -n 20 "$log" >&2
  done
  exit 1
}

# Skip (exit 77) when a command the test needs is missing.
cli_require_commands() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || { printf 'SKIP: needs the command %s\n' "$cmd"; exit 77; }
  done
}

# Require an executable file (the binary under test), else fail.
cli_require_exe() {
  [[ -n ${1:-} && -x $1 ]] || cli_fail "not an executable: '${1:-}'"
}

# cli_spawn SECONDS CMD [ARGS...]: start CMD in the background, killed after
# SECONDS. Redirections on the call apply to CMD (stdin included). Sets
# CLI_PID (the pid of `timeout`); cli_cleanup stops it if still running.
cli_spawn() {
  local seconds=$1
  shift
  # `<&0`: a background command otherwise gets /dev/null as stdin. The
  # command must not inherit the test's own descriptors: a held FIFO end
  # would keep its reader from ever seeing end of file.
  (
    for fd in "${CLI_HELD[@]}"; do exec {fd}>&-; done
    exec timeout -k 2 "$seconds" "$@" {CLI_OUT}>&- {CLI_ERR}>&-
  ) <&0 &
  CLI_PID=$!
  CLI_PIDS+=("$CLI_PID")
}

# cli_fifo NAME: make the FIFO $CLI_TMP/NAME and hold it open (read-write, so
# the call does not block) in the test; its descriptor is CLI_FIFO_FD.
# A program started later with `<$CLI_TMP/NAME` reads what the test writes
# to that descriptor and sees end of file only at cli_fifo_close: the test
# decides when a program's input ends.
CLI_HELD=()
CLI_FIFO_FD=
cli_fifo() {
  mkfifo -- "$CLI_TMP/$1"
  exec {CLI_FIFO_FD}<>"$CLI_TMP/$1"
  CLI_HELD+=("$CLI_FIFO_FD")
}

# cli_fifo_write FD FILE: write FILE into a held FIFO (bounded: 20 s).
cli_fifo_write() {
  timeout 20 cat -- "$2" >&"$1" || cli_fail "cannot write ${2##*/} into the FIFO"
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

# True while PID runs.
cli_running() { kill -0 "$1" 2>/dev/null; }

# True once PID has exited (for cli_wait_until).
cli_exited() { ! cli_running "$1"; }

# cli_wait_pid PID: wait for a process started by cli_spawn and return its
# status (124 if its timeout expired). Bounded by that timeout.
cli_wait_pid() {
  local pid=$1 status=0 i
  wait "$pid" || status=$?
  for i in "${!CLI_PIDS[@]}"; do
    [[ ${CLI_PIDS[$i]} == "$pid" ]] && unset 'CLI_PIDS[i]'
  done
  return "$status"
}

# cli_expect_exit PID NAME STATUS: wait for PID; fail unless it exits STATUS.
cli_expect_exit() {
  local pid=$1 name=$2 want=$3 status=0
  cli_wait_pid "$pid" || status=$?
  ((status == 124)) && cli_fail "$name was killed by its timeout"
  ((status == want)) || cli_fail "$name exited with status $status, expected $want"
  cli_say "$name exited $status"
}

# cli_wait_until TIMEOUT_MS CMD [ARGS...]: poll CMD until it succeeds;
# returns 1 after TIMEOUT_MS milliseconds.
cli_wait_until() {
  local deadline=$(( $(cli_now_us) + $1 * 1000 ))
  shift
  until "$@"; do
    (( $(cli_now_us) >= deadline )) && return 1
    sleep 0.02
  done
}

# True if FILE has a line matching the extended REGEX.
cli_has_line() { grep -qE -- "$2" "$1" 2>/dev/null; }

# Number of lines of FILE matching the extended REGEX.
cli_count_lines() { grep -cE -- "$2" "$1" 2>/dev/null || true; }

# cli_wait_for_line FILE REGEX TIMEOUT_MS
cli_wait_for_line() { cli_wait_until "$3" cli_has_line "$1" "$2"; }

# True if FILE has at least COUNT lines matching REGEX.
cli_has_count() { (( $(cli_count_lines "$1" "$2") >= $3 )); }

# cli_wait_for_count FILE REGEX COUNT TIMEOUT_MS
cli_wait_for_count() { cli_wait_until "$4" cli_has_count "$1" "$2" "$3"; }

# Size of FILE in bytes (0 if absent).
cli_file_size() { stat -c %s -- "$1" 2>/dev/null || echo 0; }

# True if FILE holds at least BYTES.
cli_has_size() { (( $(cli_file_size "$1") >= $2 )); }

# cli_wait_for_size FILE BYTES TIMEOUT_MS
cli_wait_for_size() { cli_wait_until "$3" cli_has_size "$1" "$2"; }

# cli_child_pid PID: the pid of the program `timeout` (pid PID) runs; waits
# 5 s at most for it to be started.
cli_child_pid() {
  local child deadline=$(( $(cli_now_us) + 5000000 ))
  until child=$(pgrep -P "$1" | head -n 1) && [[ -n $child ]]; do
    (( $(cli_now_us) < deadline )) || cli_fail "no child process under pid $1"
    sleep 0.02
  done
  echo "$child"
}

# True if process PID has descriptor FD open.
cli_fd_open() { [[ -e /proc/$1/fd/$2 ]]; }

# cli_listen NAME SECONDS CMD [ARGS...]: start a listener whose stderr goes to
# $CLI_TMP/NAME.log, wait (5 s at most) for its `listening on ADDR:PORT` line
# and set CLI_PORT to PORT and CLI_PID to its pid. For mcat -v, and for
# `socat -d -d`, whose line has the same shape.
cli_listen() {
  local name=$1 seconds=$2 log
  shift 2
  log="$CLI_TMP/$name.log"
  cli_spawn "$seconds" "$@" <&0 2>"$log"
  cli_wait_for_line "$log" 'listening on .*:[0-9]+' 5000 ||
    cli_fail "$name never said 'listening on'"
  CLI_PORT=$(grep -m1 -oE 'listening on .*:[0-9]+' "$log" | sed -E 's/.*:([0-9]+)$/\1/')
  [[ $CLI_PORT =~ ^[0-9]+$ && $CLI_PORT != 0 ]] || cli_fail "$name: no port in its 'listening on' line"
  cli_say "$name listening on port $CLI_PORT"
}

# cli_random_file PATH BYTES: BYTES of random data.
cli_random_file() { head -c "$2" /dev/urandom >"$1"; }

# cli_sha256 FILE: the file's SHA-256 in hex.
cli_sha256() { sha256sum -- "$1" | awk '{ print $1 }'; }

# cli_expect_same EXPECTED ACTUAL LABEL: fail unless the files are identical.
cli_expect_same() {
  local expected actual
  expected=$(cli_sha256 "$1")
  actual=$(cli_sha256 "$2")
  [[ $expected == "$actual" ]] ||
    cli_fail "$3: sha256 differs: sent $expected ($(cli_file_size "$1") bytes)," \
      "received $actual ($(cli_file_size "$2") bytes)"
  cli_say "$3: sha256 match ($(cli_file_size "$2") bytes)"
}

# cli_expect_grep FILE REGEX LABEL: fail unless FILE has a line matching REGEX.
cli_expect_grep() {
  cli_has_line "$1" "$2" || cli_fail "$3: no line matching /$2/ in ${1##*/}: $(head -c 400 "$1" 2>/dev/null)"
}

# Stop what this run started (by pid) and remove its files. Idempotent.
cli_cleanup() {
  local status=$?
  ((CLI_CLEANED)) && return "$status"
  CLI_CLEANED=1
  set +e
  local pid deadline
  for pid in "${CLI_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  deadline=$(( $(cli_now_us) + 3000000 ))
  for pid in "${CLI_PIDS[@]}"; do
    while cli_running "$pid" && (( $(cli_now_us) < deadline )); do sleep 0.02; done
    kill -KILL "$pid" 2>/dev/null
  done
  wait 2>/dev/null
  if ((CLI_FAILED || (status != 0 && status != 77))); then
    find "$CLI_TMP" -type f ! -name '*.log' ! -name '*.json' -delete
    find "$CLI_TMP" -type p -delete
    rmdir "$CLI_TMP" 2>/dev/null || printf 'logs kept in %s\n' "$CLI_TMP" >&2
  else
    rm -rf -- "$CLI_TMP"
  fi
  return "$status"
}

trap cli_cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
