# shellcheck shell=bash
# What every shell test needs, whether it runs on loopback (tests/cli/lib.sh)
# or in network namespaces (tests/netns/lib.sh): a temporary directory,
# narrated output, failing with the logs, bounded waits for a line, a size or
# an exit, file checks, and a cleanup that stops what the run started.
# Sourced by those two libraries, with the name of the family:
#
#   source "$here/../lib/common.sh" cli     # files in $TEST_TMP (msocket-cli.XXXXXX)
#
# Rules kept here so that tests need not repeat them:
#  - every wait has a deadline, in seconds; nothing sleeps to synchronise
#    (poll for a log line, a file size, an exit);
#  - every process a test starts is tracked (test_track) and stopped by pid
#    in test_cleanup, which is trapped on EXIT, INT and TERM;
#  - logs (*.log) and stats (*.json) are kept when the test failed, or
#    always with MSOCKET_KEEP_LOGS=1; other files are removed.

TEST_PIDS=()
TEST_FAILED=0
TEST_CLEANED=0
TEST_CLEANUP_HOOKS=()  # functions test_cleanup calls once the tracked processes are stopped
TEST_T0=${EPOCHREALTIME/./}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/msocket-${1:?common.sh wants the name of the test family}.XXXXXX")
# The owner keys that clients connecting by name pin (lib/names/known_names.hpp)
# are the test's own, never the user's: each test makes its keys anew.
export XDG_CONFIG_HOME="$TEST_TMP/config"
# The test's own output and errors, whatever a call's redirections say (the
# helpers are called with the redirections of the programs they start).
exec {TEST_OUT}>&1 {TEST_ERR}>&2

# Microseconds since the epoch.
test_now_us() { echo "${EPOCHREALTIME/./}"; }

# Milliseconds since the library was sourced.
test_elapsed_ms() { echo $((($(test_now_us) - TEST_T0) / 1000)); }

# Print a narrative line with the time since the start, in seconds.
test_say() {
  local ms
  ms=$(test_elapsed_ms)
  printf '[%3d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*" >&"$TEST_OUT"
}

# Fail the test: print the reason and the tail of every log, exit 1.
test_fail() {
  TEST_FAILED=1
  exec 1>&"$TEST_OUT" 2>&"$TEST_ERR"
  printf 'FAIL: %s\n' "$*" >&2
  local log
  for log in "$TEST_TMP"/*.log; do
    [[ -f $log ]] || continue
    printf -- '----- %s (last 40 lines) -----\n' "${log##*/}" >&2
    tail -n 40 "$log" >&2
  done
  exit 1
}

# test_arguments NAME... -- "$@": the script's arguments, each an
# executable file (a program under test), into the variables NAME...; fails
# with the script's usage line when one is missing or not executable.
# Arguments after the named ones are left to the script.
test_arguments() {
  local names=() name
  while [[ $1 != -- ]]; do names+=("$1"); shift; done
  shift
  for name in "${names[@]}"; do
    [[ -n ${1:-} ]] || test_fail "usage: ${0##*/} ${names[*]}"
    [[ -x $1 ]] || test_fail "not an executable: '$1' (usage: ${0##*/} ${names[*]})"
    printf -v "$name" '%s' "$1"
    shift
  done
}

# TEST_AS_NOBODY: the command prefix that runs a program as the user nobody.
TEST_AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# test_nobody_can_run PROGRAM: true if this test, as root, can run PROGRAM
# as nobody (setpriv is there and the build tree is open to that user).
test_nobody_can_run() {
  ((EUID == 0)) && command -v setpriv >/dev/null 2>&1 && "${TEST_AS_NOBODY[@]}" "$1" --help >/dev/null 2>&1
}

# Skip (exit 77) when a command the test needs is missing.
test_require_commands() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || { printf 'SKIP: needs the command %s\n' "$cmd"; exit 77; }
  done
}

# test_track PID: a process this run started; test_cleanup stops it.
test_track() { TEST_PIDS+=("$1"); }

# True while PID runs.
test_running() { kill -0 "$1" 2>/dev/null; }

# True once PID has exited (for test_wait_until).
test_exited() { ! test_running "$1"; }

# test_child_pid PID: the pid of the program the `timeout` of pid PID runs;
# waits 5 s at most for it to be started.
test_child_pid() {
  local child deadline=$(($(test_now_us) + 5000000))
  until child=$(pgrep -P "$1" | head -n 1) && [[ -n $child ]]; do
    (($(test_now_us) < deadline)) || test_fail "no child process under pid $1"
    sleep 0.02
  done
  echo "$child"
}

# test_wait_pid PID: wait for a tracked process and return its status (124
# if the `timeout` it runs under expired). Bounded by that timeout.
test_wait_pid() {
  local pid=$1 status=0 i
  wait "$pid" || status=$?
  for i in "${!TEST_PIDS[@]}"; do
    [[ ${TEST_PIDS[$i]} == "$pid" ]] && unset 'TEST_PIDS[i]'
  done
  return "$status"
}

# test_expect_exit PID NAME [STATUS]: wait for PID; fail unless it exits
# STATUS (default 0).
test_expect_exit() {
  local pid=$1 name=$2 want=${3:-0} status=0
  test_wait_pid "$pid" || status=$?
  ((status == 124)) && test_fail "$name was killed by its timeout"
  ((status == want)) || test_fail "$name exited with status $status, expected $want"
  test_say "$name exited $status"
}

# test_start NAME SECONDS CMD [ARGS...]: start CMD in the background, stdin
# empty, stdout in $TEST_TMP/NAME.out and stderr in $TEST_TMP/NAME.log;
# test_finish waits for it, until SECONDS from now at most. Sets
# TEST_RUN_PID, CMD's own pid (not that of a `timeout` around it: a tool
# that names what it makes after its pid can be checked for leftovers).
test_start() {
  TEST_RUN_NAME=$1
  TEST_RUN_START=$(test_now_us)
  TEST_RUN_DEADLINE=$((TEST_RUN_START + $2 * 1000000))
  shift 2
  TEST_RUN_COMMAND="${1##*/} ${*:2}"
  "$@" </dev/null >"$TEST_TMP/$TEST_RUN_NAME.out" 2>"$TEST_TMP/$TEST_RUN_NAME.log" &
  TEST_RUN_PID=$!
  test_track "$TEST_RUN_PID"
}

# test_finish STATUS: wait for the command of test_start; fail unless it
# exits STATUS before its deadline. Sets TEST_RUN_MS, how long it ran.
test_finish() {
  local want=$1 status=0
  until test_exited "$TEST_RUN_PID"; do
    (($(test_now_us) < TEST_RUN_DEADLINE)) || test_fail "$TEST_RUN_NAME: $TEST_RUN_COMMAND was still running at its deadline"
    sleep 0.02
  done
  test_wait_pid "$TEST_RUN_PID" || status=$?
  TEST_RUN_MS=$((($(test_now_us) - TEST_RUN_START) / 1000))
  ((status == want)) || test_fail "$TEST_RUN_NAME: $TEST_RUN_COMMAND exited $status, expected $want;" \
    "stderr: $(head -c 300 "$TEST_TMP/$TEST_RUN_NAME.log")"
}

# test_run NAME STATUS SECONDS CMD [ARGS...]: test_start, then test_finish STATUS.
test_run() {
  local name=$1 want=$2
  shift 2
  test_start "$name" "$@"
  test_finish "$want"
}

# test_expect_usage_error REGEX CMD [ARGS...]: CMD exits 2 (a usage error)
# within 10 s and says REGEX on stderr.
test_expect_usage_error() {
  local regex=$1
  shift
  test_run usage 2 10 "$@"
  test_expect_grep "$TEST_TMP/usage.log" "$regex" "${1##*/} ${*:2}"
}

# test_wait_until SECONDS CMD [ARGS...]: poll CMD until it succeeds; returns
# 1 after SECONDS.
test_wait_until() {
  local deadline=$(($(test_now_us) + $1 * 1000000))
  shift
  until "$@"; do
    (($(test_now_us) >= deadline)) && return 1
    sleep 0.02
  done
}

# True if FILE has a line matching the extended REGEX.
test_has_line() { grep -qE -- "$2" "$1" 2>/dev/null; }

# Number of lines of FILE matching the extended REGEX.
test_count_lines() { grep -cE -- "$2" "$1" 2>/dev/null || true; }

# True if FILE has at least COUNT lines matching REGEX.
test_has_count() { (($(test_count_lines "$1" "$2") >= $3)); }

# test_wait_for_count FILE REGEX COUNT SECONDS
test_wait_for_count() { test_wait_until "$4" test_has_count "$1" "$2" "$3"; }

# test_wait_for_line FILE REGEX SECONDS
test_wait_for_line() { test_wait_until "$3" test_has_line "$1" "$2"; }

# Size of FILE in bytes (0 if absent).
test_file_size() { stat -c %s -- "$1" 2>/dev/null || echo 0; }

# True if FILE holds at least BYTES.
test_has_size() { (($(test_file_size "$1") >= $2)); }

# test_wait_for_size FILE BYTES SECONDS [PID]: wait until FILE holds at
# least BYTES. Returns 1 on timeout, 2 if PID exits first.
test_wait_for_size() {
  local file=$1 bytes=$2 pid=${4:-} deadline=$(($(test_now_us) + $3 * 1000000))
  until test_has_size "$file" "$bytes"; do
    if [[ -n $pid ]] && test_exited "$pid"; then
      test_has_size "$file" "$bytes" && return 0
      return 2
    fi
    (($(test_now_us) >= deadline)) && return 1
    sleep 0.02
  done
}

# test_random_file PATH BYTES: BYTES of random data.
test_random_file() { head -c "$2" /dev/urandom >"$1"; }

# test_sha256 FILE: the file's SHA-256 in hex.
test_sha256() { sha256sum -- "$1" | awk '{ print $1 }'; }

# test_expect_same EXPECTED ACTUAL LABEL: fail unless the files are identical.
test_expect_same() {
  local expected actual
  expected=$(test_sha256 "$1")
  actual=$(test_sha256 "$2")
  [[ $expected == "$actual" ]] ||
    test_fail "$3: sha256 differs: sent $expected ($(test_file_size "$1") bytes)," \
      "received $actual ($(test_file_size "$2") bytes)"
  test_say "$3: sha256 match ${expected:0:16}... ($(test_file_size "$2") bytes)"
}

# test_expect_grep FILE REGEX LABEL: fail unless FILE has a line matching REGEX.
test_expect_grep() {
  test_has_line "$1" "$2" || test_fail "$3: no line matching /$2/ in ${1##*/}: $(head -c 400 "$1" 2>/dev/null)"
}

# test_check_report JSON [CSV [ARGUMENT...]] <<'PY' ... PY: run the Python
# assertions on stdin with `report` (JSON, loaded), `csv_rows` (the rows of
# CSV, or None) and `arguments` (the rest) defined, and csv, json, math and
# sys imported; fail with the head of JSON if one does not hold.
test_check_report() {
  local prelude='import csv, json, math, sys
report = json.load(open(sys.argv[1]))
csv_rows = list(csv.DictReader(open(sys.argv[2]))) if len(sys.argv) > 2 else None
arguments = sys.argv[3:]
'
  python3 -c "$prelude$(cat)" "$@" || test_fail "${1##*/}: $(head -c 1200 "$1")"
}

# Stop what this run started (by pid), run the cleanup hooks, remove the
# files. Idempotent; keeps the logs and stats when the test failed.
test_cleanup() {
  local status=$?
  ((TEST_CLEANED)) && return "$status"
  TEST_CLEANED=1
  set +e
  local pid hook deadline
  for pid in "${TEST_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  deadline=$(($(test_now_us) + 3000000))
  for pid in "${TEST_PIDS[@]}"; do
    while test_running "$pid" && (($(test_now_us) < deadline)); do sleep 0.02; done
    kill -KILL "$pid" 2>/dev/null
  done
  for hook in "${TEST_CLEANUP_HOOKS[@]}"; do "$hook"; done
  wait 2>/dev/null
  if ((TEST_FAILED || (status != 0 && status != 77))) || [[ ${MSOCKET_KEEP_LOGS:-0} == 1 ]]; then
    find "$TEST_TMP" \( -type f -o -type p \) ! -name '*.log' ! -name '*.json' -delete
    rmdir "$TEST_TMP" 2>/dev/null || printf 'logs kept in %s\n' "$TEST_TMP" >&2
  else
    rm -rf -- "$TEST_TMP"
  fi
  return "$status"
}

trap test_cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
