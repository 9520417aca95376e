# libmsocket as an installed library and a Debian package (label install):
# the install tree and examples/ built against it, `cpack -G DEB` unpacked
# and run, the bash completions. They use what the full build made (the
# tools and the libraries), as `cmake --install` does. Included from
# tests/CMakeLists.txt. Temporary files go under the build directory, where
# ccache (base_dir) can reuse the examples' objects from one run to the next.
set(MSOCKET_INSTALL_TMP ${PROJECT_BINARY_DIR}/install-tests)
file(MAKE_DIRECTORY ${MSOCKET_INSTALL_TMP})
add_test(NAME install:examples COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/examples.sh ${PROJECT_BINARY_DIR})
add_test(NAME install:deb COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/deb.sh ${PROJECT_BINARY_DIR})
add_test(NAME install:completions
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/completions.sh
          $<TARGET_FILE:mcat> $<TARGET_FILE:mnamed> $<TARGET_FILE:mbench> $<TARGET_FILE:mproxy>)
# The examples' build takes both cores: ctest -j2 runs it alone, so that it
# slows no timed test.
set_tests_properties(install:examples PROPERTIES PROCESSORS 2)
set_tests_properties(install:examples install:deb install:completions PROPERTIES
  LABELS install TIMEOUT 180 SKIP_RETURN_CODE 77 ENVIRONMENT TMPDIR=${MSOCKET_INSTALL_TMP})
