#!/usr/bin/env bash
# Build msocket three times and run its tests:
#   build/       RelWithDebInfo        -> every ctest test (unit, sim, cli, netns, ...)
#   build-asan/  Debug, ASan + UBSan   -> unit, simulation and loopback integration tests,
#                                         the command-line tests against mcat, mnamed
#                                         and mbench built with the sanitizers, and the
#                                         fuzzing inputs replayed (replay:*)
#   build-fuzz/  clang++-16, libFuzzer -> the fuzzing harnesses alone, each run once over
#                                         its inputs, then fuzzed for MSOCKET_FUZZ_SECONDS
#                                         (10 here) each (scripts/fuzz.sh; ~3.5 min on 2 cores)
# Namespace tests need root; they are skipped without it, or fail if
# MSOCKET_REQUIRE_NETNS=1. Exits non-zero if any step fails; the last line is
# a one-line summary.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

JOBS=${MSOCKET_JOBS:-2}
start=$SECONDS
failures=()
summaries=()

bash scripts/install-deps.sh || { echo "test.sh: FAIL (install-deps)"; exit 1; }

# step NAME CMD...: run CMD, record a failure under NAME.
step() {
  local name=$1 began=$SECONDS
  shift
  printf '\n==> %s\n' "$name"
  if "$@"; then
    printf '==> %s: done in %d s\n' "$name" $((SECONDS - began))
    return 0
  fi
  printf '==> %s: FAILED after %d s\n' "$name" $((SECONDS - began))
  failures+=("$name")
  return 1
}

# build DIR BUILD_TYPE [CMAKE_OPTION...] [--target T...]: configure (Ninja)
# with the options given and build DIR (everything, or the targets named).
build() {
  local dir=$1 type=$2 options=()
  shift 2
  while (($#)) && [[ $1 == -D* ]]; do
    options+=("$1")
    shift
  done
  if [[ -f $dir/CMakeCache.txt ]] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt"; then
    echo "$dir was configured with another generator; starting it afresh"
    rm -rf -- "$dir"
  fi
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" "${options[@]}" &&
    cmake --build "$dir" -j "$JOBS" "$@"
}

# run_ctest LABEL DIR [CTEST_ARGS...]: run ctest, keep its summary line.
run_ctest() {
  local label=$1 dir=$2 status=0 summary skipped
  shift 2
  ctest --test-dir "$dir" --output-on-failure --no-tests=error "$@" 2>&1 | tee "$dir/ctest.log" || status=$?
  summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of' "$dir/ctest.log" | tail -n 1)
  skipped=$(grep -c '\*\*\*Skipped' "$dir/ctest.log")
  summaries+=("$label: ${summary:-no summary}, $skipped skipped")
  return "$status"
}

# The test builds keep line tables only (-g1): enough for backtraces and
# the sanitizers' reports, and a quarter less compile time than full
# debugging information, which a test run never reads.
if step "build (RelWithDebInfo)" build build RelWithDebInfo -DMSOCKET_SANITIZE=OFF \
     "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"; then
  step "ctest build (all tests)" run_ctest build build -j 2
fi

# Under the sanitizers: the test programs and the tools (the library code
# they run is the same; the namespace tests need the optimised build's
# speed), which keeps the second build short.
if step "build-asan (Debug, ASan+UBSan)" build build-asan Debug -DMSOCKET_SANITIZE=ON -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
     --target unit_tests sim_tests integration_tests mcat mnamed mbench fuzz_all; then
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    step "ctest build-asan (unit, sim, integration, cli, replay)" run_ctest build-asan build-asan -j 2 \
      -R '^(unit|sim|integration|cli|replay):'
fi

# Fuzzing: the harnesses and only the libraries they use, built with clang;
# scripts/fuzz.sh prints a line per harness and keeps its verdict.
# 10 s a harness keeps the whole run under 30 min on 2 cores; fuzz longer
# by hand (docs/fuzzing.md).
MSOCKET_FUZZ_SECONDS=${MSOCKET_FUZZ_SECONDS:-10} step "fuzz (build-fuzz, clang++-16 + libFuzzer)" bash scripts/fuzz.sh
summaries+=("build-fuzz: $(tail -n 1 build-fuzz/fuzz-run/result 2>/dev/null || echo 'no summary')")

elapsed=$((SECONDS - start))
duration=$(printf '%dm%02ds' $((elapsed / 60)) $((elapsed % 60)))
echo
for line in "${summaries[@]}"; do
  echo "  $line"
done
if ((${#failures[@]})); then
  failed=$(IFS=';'; echo "${failures[*]}")
  echo "test.sh: FAIL in $duration: $failed"
  exit 1
fi
echo "test.sh: PASS in $duration (build + build-asan + build-fuzz)"
