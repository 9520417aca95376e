#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` in the build directory makes
# msocket_VERSION_ARCH.deb (into a temporary directory); unpacked with
# `dpkg-deb -x` into a temporary root, it holds the tools, pages,
# completions, headers and CMake package under /usr, and each tool runs from
# there: --version and --help exit 0 and name the tool.
# Usage: deb.sh BUILD_DIR
set -euo pipefail
# shellcheck source=../cli/lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
BUILD=$(cd "${1:?usage: deb.sh BUILD_DIR}" && pwd)
test_require_commands cpack dpkg-deb dpkg-shlibdeps

start=$SECONDS
(cd "$BUILD" && cpack -G DEB -B "$TEST_TMP/package") >"$TEST_TMP/cpack.log" 2>&1 || test_fail "cpack -G DEB failed"
debs=("$TEST_TMP"/package/msocket_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} == 1 ]] || test_fail "cpack made no single msocket_*.deb: $(ls "$TEST_TMP/package")"
DEB=${debs[0]}
test_say "cpack -G DEB: ${DEB##*/} in $((SECONDS - start)) s"

dpkg-deb -f "$DEB" Package Version Maintainer Depends >"$TEST_TMP/control.log"
version=$(sed -nE 's/^project\(msocket VERSION ([0-9.]+).*/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../../CMakeLists.txt")
test_expect_grep "$TEST_TMP/control.log" '^Package: msocket$' "the package's name"
test_expect_grep "$TEST_TMP/control.log" "^Version: ${version//./\\.}\$" "the package's version"
test_expect_grep "$TEST_TMP/control.log" '^Maintainer: .+' "the package's maintainer"
test_expect_grep "$TEST_TMP/control.log" '^Depends: .*libsodium' "the package's dependencies"
test_say "control: $(tr '\n' ';' <"$TEST_TMP/control.log")"

ROOT=$TEST_TMP/root
dpkg-deb -x "$DEB" "$ROOT"
for file in usr/include/msocket/stream.hpp usr/lib/cmake/msocket/msocketConfig.cmake usr/lib/pkgconfig/msocket.pc \
  usr/share/man/man1/mcat.1 usr/share/man/man8/mnamed.8 usr/share/man/man8/mproxy.8 \
  usr/share/bash-completion/completions/mcat usr/share/bash-completion/completions/mproxy; do
  [[ -e $ROOT/$file ]] || test_fail "the package has no /$file"
done
for tool in mcat mnamed mbench mproxy; do
  for option in --version --help; do
    test_run "$tool$option" 0 10 "$ROOT/usr/bin/$tool" "$option"
    test_expect_grep "$TEST_TMP/$tool$option.out" "$tool" "$tool $option names the tool"
  done
  test_say "$tool: --version says '$(head -n 1 "$TEST_TMP/$tool--version.out")'; --help exits 0"
done
test_say "PASS"
