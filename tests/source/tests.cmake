# Checks of the source tree itself (docs/architecture.md): they read files,
# build nothing and run in well under a second. Included from
# tests/CMakeLists.txt.
set(MSOCKET_SOURCE_CHECKS
  layers            # lib/ layers include only downwards
  coroutine_shape   # no `co_await (a || b)`: first_of/all_of take named operands
)
foreach(name IN LISTS MSOCKET_SOURCE_CHECKS)
  add_test(NAME source:${name}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/source/${name}.sh ${PROJECT_SOURCE_DIR})
  set_tests_properties(source:${name} PROPERTIES TIMEOUT 60 LABELS source)
endforeach()
