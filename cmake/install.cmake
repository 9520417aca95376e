# What `cmake --install` lays out under the prefix:
#   lib/libmsocket*.a              msocket and the layers it is built on
#   include/msocket/*.hpp          the public headers (lib/*/include/msocket/), nothing else
#   lib/cmake/msocket/             find_package(msocket) -> msocket::msocket
#   lib/pkgconfig/msocket.pc       pkg-config --cflags --libs msocket
#   bin/mcat, mnamed, mbench, mproxy  the tools
#   share/man/man1, man8           their manual pages
#   share/bash-completion/completions/   their completions
include(CMakePackageConfigHelpers)

# The static libraries msocket::msocket needs to link. The layers are
# exported too (msocket::transport, ...), as link dependencies only: their
# include directories are the source tree's and are not installed.
set(MSOCKET_INSTALLED_LIBRARIES
  msocket msocket_transport msocket_names msocket_proxy msocket_session msocket_paths msocket_wire msocket_sched msocket_core)
foreach(library ${MSOCKET_INSTALLED_LIBRARIES})
  if(NOT library STREQUAL "msocket")
    string(REPLACE "msocket_" "" export_name ${library})
    set_target_properties(${library} PROPERTIES EXPORT_NAME ${export_name})
  endif()
endforeach()
install(TARGETS ${MSOCKET_INSTALLED_LIBRARIES} EXPORT msocketTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# A stripped install (cmake --install --strip, and cpack: CPACK_STRIP_FILES)
# strips the tools; CMake leaves static libraries alone, so their debug
# information (most of their size) is dropped here. Their symbols stay.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    foreach(library ${MSOCKET_INSTALLED_LIBRARIES})
      execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
        \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/lib\${library}.a\")
    endforeach()
  endif()")

file(GLOB MSOCKET_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/lib/*/include/msocket/*.hpp)
install(FILES ${MSOCKET_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/msocket)

set(MSOCKET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/msocket)
install(EXPORT msocketTargets NAMESPACE msocket:: DESTINATION ${MSOCKET_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/msocketConfig.cmake.in
  ${PROJECT_BINARY_DIR}/msocketConfig.cmake INSTALL_DESTINATION ${MSOCKET_CMAKE_DIR})
# 0.x: a new minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/msocketConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/msocketConfig.cmake ${PROJECT_BINARY_DIR}/msocketConfigVersion.cmake
        DESTINATION ${MSOCKET_CMAKE_DIR})

# pkg-config: the prefix is found from the .pc file's own place, so the
# tree can be installed (or unpacked from the .deb) anywhere.
file(RELATIVE_PATH MSOCKET_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" MSOCKET_PC_TO_PREFIX "${MSOCKET_PC_TO_PREFIX}")
set(MSOCKET_PC_LIBS "")
foreach(library ${MSOCKET_INSTALLED_LIBRARIES})
  string(APPEND MSOCKET_PC_LIBS " -l${library}")
endforeach()
configure_file(${CMAKE_CURRENT_LIST_DIR}/msocket.pc.in ${PROJECT_BINARY_DIR}/msocket.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/msocket.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(TARGETS mcat mnamed mbench mproxy RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Each page in the directory of its section (mnamed and mproxy are daemons:
# section 8).
file(GLOB MSOCKET_MAN_PAGES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/man/*.[1-9])
foreach(page ${MSOCKET_MAN_PAGES})
  string(REGEX MATCH "[1-9]$" section ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
foreach(tool mcat mnamed mbench mproxy)
  install(FILES ${PROJECT_SOURCE_DIR}/tools/completions/${tool}.bash
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions RENAME ${tool})
endforeach()
