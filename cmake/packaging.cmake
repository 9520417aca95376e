# `cpack -G DEB` in the build directory: one Debian package, msocket, of
# everything `cmake --install` lays out (cmake/install.cmake) under /usr.
set(CPACK_PACKAGE_NAME msocket)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "TCP connections that survive address changes and use several paths")
set(CPACK_PACKAGE_DESCRIPTION
    "mcat (netcat over msocket), mnamed (the name service), mproxy (the relay for servers behind NAT) and mbench (testbed and benchmarks), with the static library libmsocket, its headers, CMake package and pkg-config file.")
set(CPACK_PACKAGE_CONTACT "msocket maintainers <maintainers@msocket.example>" CACHE STRING
    "Maintainer of the Debian package")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The tools without their debug information; static libraries are left as they are.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# The tools' shared libraries (Boost.Program_options, libsodium, spdlog, ...)
# are found by dpkg-shlibdeps; building against libmsocket needs the headers
# and libraries its CMake package asks for.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libboost1.81-dev, libboost-json1.81-dev, libspdlog-dev, libsodium-dev, pkg-config")
include(CPack)
