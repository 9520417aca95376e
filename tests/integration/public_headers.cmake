# The public headers compile with nothing but each other, the standard
# library and Boost, as they will once installed: they are copied into an
# include directory of their own (as `cmake --install` would lay them out),
# and an object library with only that directory and Boost's compiles each
# header alone and public_api_check.cpp, which uses every template of the API.
# An include of a library-internal header breaks this build
# (tests/source/layers.sh says which include, without building).
file(GLOB MSOCKET_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/lib/*/include/msocket/*.hpp)
set(public_include ${CMAKE_CURRENT_BINARY_DIR}/public_include)
set(staged_headers)
set(header_checks)
foreach(header ${MSOCKET_PUBLIC_HEADERS})
  get_filename_component(name ${header} NAME)
  add_custom_command(OUTPUT ${public_include}/msocket/${name}
                     COMMAND ${CMAKE_COMMAND} -E copy ${header} ${public_include}/msocket/${name}
                     DEPENDS ${header})
  list(APPEND staged_headers ${public_include}/msocket/${name})
  # Included twice: the header stands alone and guards against a second include.
  set(check ${CMAKE_CURRENT_BINARY_DIR}/public_header_checks/${name}.cpp)
  file(CONFIGURE OUTPUT ${check} CONTENT "#include <msocket/${name}>\n#include <msocket/${name}>\n")
  list(APPEND header_checks ${check})
endforeach()

add_library(public_headers_check OBJECT
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/public_api_check.cpp ${header_checks} ${staged_headers})
# Each header alone, not in a batch with the others.
set_target_properties(public_headers_check PROPERTIES UNITY_BUILD OFF)
target_include_directories(public_headers_check PRIVATE ${public_include})
target_link_libraries(public_headers_check PRIVATE Boost::headers)
target_compile_definitions(public_headers_check PRIVATE BOOST_ASIO_NO_DEPRECATED)
