#!/usr/bin/env bash
# libmsocket used as an installed library: `cmake --install` into a
# temporary prefix lays out the library, only the public headers, the CMake
# package, msocket.pc, the tools, their pages and completions; a program
# builds with `pkg-config --cflags --libs msocket`; examples/ configures with
# CMAKE_PREFIX_PATH=that prefix alone, builds, and runs against mnamed from
# the prefix on 127.0.0.1: the echo clients (by name, coroutine and blocking)
# get their bytes back, the Beast client gets 200 and the body, and none of
# them writes anything on stderr (the library installs no log sink).
# Usage: examples.sh BUILD_DIR
set -euo pipefail
# shellcheck source=../cli/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
BUILD=$(cd "${1:?usage: examples.sh BUILD_DIR}" && pwd)
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
test_require_commands cmake pkg-config g++
PREFIX=$TEST_TMP/prefix

# --- the installed tree -------------------------------------------------------
cmake --install "$BUILD" --prefix "$PREFIX" >"$TEST_TMP/install.log" 2>&1 ||
  test_fail "cmake --install failed"
test_say "installed into $PREFIX"
expected=$(find "$SOURCE"/lib/*/include/msocket -name '*.hpp' -printf '%f ' | tr ' ' '\n' | sort | xargs)
installed=$(find "$PREFIX/include/msocket" -mindepth 1 -printf '%f\n' | sort | xargs)
[[ $installed == "$expected" ]] || test_fail "include/msocket holds $installed, not the public headers $expected"
others=$(find "$PREFIX/include" -mindepth 1 -maxdepth 1 ! -name msocket -printf '%f ')
[[ -z $others ]] || test_fail "include/ holds more than msocket/: $others"
for file in lib/libmsocket.a lib/cmake/msocket/msocketConfig.cmake lib/cmake/msocket/msocketConfigVersion.cmake \
  lib/cmake/msocket/msocketTargets.cmake lib/pkgconfig/msocket.pc bin/mcat bin/mnamed bin/mbench bin/mproxy \
  share/man/man1/mcat.1 share/man/man1/mbench.1 share/man/man8/mnamed.8 share/man/man8/mproxy.8 \
  share/bash-completion/completions/mcat share/bash-completion/completions/mnamed \
  share/bash-completion/completions/mbench share/bash-completion/completions/mproxy; do
  [[ -e $PREFIX/$file ]] || test_fail "the install has no $file"
done
test_say "the layout: public headers only, CMake package, msocket.pc, tools, pages, completions"

# --- pkg-config ----------------------------------------------------------------
cat >"$TEST_TMP/pkg_config_user.cpp" <<'CPP'
#include <cstdio>
#include <msocket/logging.hpp>
#include <msocket/stats.hpp>
int main() {
  msocket::use_default_log_sinks();
  std::puts(msocket::to_string(msocket::MigrationCause::server_move));
}
CPP
# shellcheck disable=SC2046  # the flags are words
PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig g++ -std=c++20 -o "$TEST_TMP/pkg_config_user" "$TEST_TMP/pkg_config_user.cpp" \
  $(PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig pkg-config --cflags --libs msocket) >"$TEST_TMP/pkg_config.log" 2>&1 ||
  test_fail "a program does not build with pkg-config's flags for msocket"
[[ $("$TEST_TMP/pkg_config_user") == server-move ]] || test_fail "the pkg-config program runs wrong"
test_say "pkg-config --cflags --libs msocket: builds and links"

# --- examples/ against the prefix alone -----------------------------------------
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
start=$SECONDS
cmake -S "$SOURCE/examples" -B "$TEST_TMP/examples" "${generator[@]}" "${launcher[@]}" \
  -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$TEST_TMP/examples_configure.log" 2>&1 ||
  test_fail "examples/ does not configure against the prefix"
grep -q "$PREFIX/lib/cmake/msocket" "$TEST_TMP/examples/CMakeCache.txt" ||
  test_fail "examples/ found msocket elsewhere than in the prefix"
cmake --build "$TEST_TMP/examples" -j 2 >"$TEST_TMP/examples_build.log" 2>&1 || test_fail "examples/ does not build"
test_say "examples/ configured and built in $((SECONDS - start)) s"

# --- running them -----------------------------------------------------------------
EXAMPLES=$TEST_TMP/examples
"$PREFIX/bin/mnamed" keygen --out "$TEST_TMP/owner.key" >/dev/null
cli_listen mnamed 60 "$PREFIX/bin/mnamed" serve -v --listen 127.0.0.1:0 --data-dir "$TEST_TMP/names" </dev/null
URL=http://127.0.0.1:$CLI_PORT
cli_spawn 60 "$EXAMPLES/echo_server" echo.example "$URL" "$TEST_TMP/owner.key" \
  </dev/null >"$TEST_TMP/echo_server.out" 2>"$TEST_TMP/echo_server.log"
SERVER_PID=$CLI_PID
test_wait_for_line "$TEST_TMP/echo_server.out" '^registered echo.example$' 10 ||
  test_fail "echo_server did not register: $(cat "$TEST_TMP/echo_server.out")"
test_say "echo_server: $(head -n 1 "$TEST_TMP/echo_server.out"), registered as echo.example"

message="hello over msocket, by name $RANDOM$RANDOM"
for client in echo_client blocking_client; do
  test_run "$client" 0 20 "$EXAMPLES/$client" echo.example "$URL" "$message"
  [[ $(cat "$TEST_TMP/$client.out") == "$message" ]] ||
    test_fail "$client got '$(cat "$TEST_TMP/$client.out")' back, not '$message'"
  [[ ! -s $TEST_TMP/$client.log ]] || test_fail "$client wrote on stderr"
  test_say "$client: its bytes came back ($TEST_RUN_MS ms)"
done

test_run http 0 20 "$EXAMPLES/http_over_msocket"
test_expect_grep "$TEST_TMP/http.out" '^status: 200$' "http_over_msocket status"
test_expect_grep "$TEST_TMP/http.out" '^hello over msocket, you asked for /hello$' "http_over_msocket body"
[[ ! -s $TEST_TMP/http.log ]] || test_fail "http_over_msocket wrote on stderr"
test_say "http_over_msocket: 200 and the body"

kill -TERM "$SERVER_PID"
test_expect_exit "$SERVER_PID" echo_server 0
[[ ! -s $TEST_TMP/echo_server.log ]] || test_fail "echo_server wrote on stderr"
test_say "PASS"
