#!/usr/bin/env bash
# Build the libFuzzer harnesses (fuzz/, docs/fuzzing.md) with clang++-16 in
# build-fuzz/ and fuzz each for a bounded time over a fresh copy of its seeds
# (fuzz/corpus/<harness>/) and regressions (fuzz/regressions/<harness>/).
#   scripts/fuzz.sh [HARNESS...]     all harnesses when none is named
#   MSOCKET_FUZZ_SECONDS=20          time per harness
#   MSOCKET_JOBS=2                   harnesses fuzzed at once (one core each)
# Prints one line per harness (executions, corpus size before and after);
# exits non-zero if the build fails or any harness finds a crash, a leak or
# a hang, naming the input libFuzzer saved (copy it to fuzz/regressions/).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

SECONDS_EACH=${MSOCKET_FUZZ_SECONDS:-20}
JOBS=${MSOCKET_JOBS:-2}
BUILD=build-fuzz
RUN=$BUILD/fuzz-run
CXX_COMPILER=${MSOCKET_FUZZ_CXX:-clang++-16}
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  harnesses=(fuzz_frame_codec fuzz_reconnect fuzz_record_json fuzz_netlink fuzz_mnamed_request fuzz_session fuzz_relay_control fuzz_dns_query)
fi

mkdir -p "$RUN"
rm -f -- "$RUN/result"

# finish LINE: prints the closing line and keeps it for scripts/test.sh.
finish() {
  echo "$1" | tee "$RUN/result"
}

if ! command -v "$CXX_COMPILER" >/dev/null; then
  finish "fuzz.sh: FAIL ($CXX_COMPILER not found; scripts/install-deps.sh installs clang-16)"
  exit 1
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
build_start=$SECONDS
# Debug: MSOCKET_FUZZ itself adds -O1 and keeps assertions on.
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$CXX_COMPILER" \
  -DMSOCKET_FUZZ=ON "${launcher[@]}" >/dev/null &&
  cmake --build "$BUILD" -j "$JOBS" --target fuzz_all || { finish "fuzz.sh: FAIL (build)"; exit 1; }
echo "fuzz.sh: built $BUILD in $((SECONDS - build_start)) s"

# Stack traces with file and line: a symbolizer if one is installed, else
# binutils' addr2line (clang-16 depends on binutils).
symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || command -v addr2line)
export ASAN_OPTIONS=${ASAN_OPTIONS:-external_symbolizer_path=$symbolizer}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:external_symbolizer_path=$symbolizer}

# Each harness once over its seeds and regressions, without fuzzing: a
# regression that fails again is named at once.
if ! ctest --test-dir "$BUILD" -L fuzz --output-on-failure --no-tests=error >"$RUN/ctest.log" 2>&1; then
  cat "$RUN/ctest.log"
  finish "fuzz.sh: FAIL (an input of fuzz/corpus or fuzz/regressions fails again)"
  exit 1
fi
grep -E 'tests passed' "$RUN/ctest.log"

# fuzz_one HARNESS: fuzzes it; writes its summary line to $RUN/HARNESS.summary.
fuzz_one() {
  local harness=$1 corpus=$RUN/$1 log=$RUN/$1.log status=0
  rm -rf -- "$corpus" "$RUN/$harness".crash-* "$RUN/$harness".leak-* "$RUN/$harness".timeout-* "$RUN/$harness".oom-*
  mkdir -p "$corpus"
  cp fuzz/corpus/"$harness"/* "$corpus"/ 2>/dev/null
  cp fuzz/regressions/"$harness"/* "$corpus"/ 2>/dev/null
  local before
  before=$(find "$corpus" -type f | wc -l)
  # A run of mnamed touches thousands of coverage features (Beast, Asio):
  # libFuzzer's entropic bookkeeping of them took most of each run there, and
  # without it the harness runs about twice as many inputs in the same time.
  local extra=()
  [[ $harness == fuzz_mnamed_request ]] && extra=(-entropic=0)
  "$BUILD/fuzz/$harness" -max_total_time="$SECONDS_EACH" -timeout=25 -rss_limit_mb=2048 "${extra[@]}" \
    -print_final_stats=1 -artifact_prefix="$RUN/$harness." "$corpus" >"$log" 2>&1 || status=$?
  local runs after kib
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$')
  after=$(find "$corpus" -type f | wc -l)
  kib=$(find "$corpus" -type f -printf '%s\n' | awk '{ total += $1 } END { printf "%.1f", total / 1024 }')
  local line
  line=$(printf '%-20s %9s executions in %ss, corpus %s -> %s inputs (%s KiB)' \
    "$harness" "${runs:-?}" "$SECONDS_EACH" "$before" "$after" "$kib")
  if ((status != 0)); then
    local saved
    saved=$(ls "$RUN/$harness".{crash,leak,timeout,oom}-* 2>/dev/null | head -n 1)
    line="$line: FAILED (exit $status, input ${saved:-not saved}, log $log)"
  fi
  echo "$line" >"$RUN/$harness.summary"
  return "$status"
}

fuzz_start=$SECONDS
running=0
for harness in "${harnesses[@]}"; do
  if [[ ! -x $BUILD/fuzz/$harness ]]; then
    finish "fuzz.sh: FAIL (no harness $harness)"
    exit 1
  fi
  fuzz_one "$harness" &
  running=$((running + 1))
  if ((running >= JOBS)); then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=0
for harness in "${harnesses[@]}"; do
  cat "$RUN/$harness.summary"
  grep -q FAILED "$RUN/$harness.summary" && failed=$((failed + 1))
done
if ((failed)); then
  finish "fuzz.sh: FAIL: $failed of ${#harnesses[@]} harnesses crashed (keep each input in fuzz/regressions/<harness>/)"
  exit 1
fi
finish "fuzz.sh: PASS (${#harnesses[@]} harnesses, ${SECONDS_EACH}s each, $((SECONDS - fuzz_start)) s of fuzzing)"
