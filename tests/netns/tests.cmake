# Real-process tests in network namespaces (DESIGN.md, "Testbed").
# Included from tests/CMakeLists.txt. They need root: without it they exit 77
# (skipped), unless MSOCKET_REQUIRE_NETNS=1 turns that into a failure.
# Each builds its own namespaces, so they run one at a time.

set(MSOCKET_NETNS_TESTS
  move_transfer       # 64 MiB each way, client moves 3 times
  move_during_close   # client half-closes, then moves while the server sends
  forward_move        # --local/--forward for a plain TCP echo service, with a move
  garbage_listener    # -k listener survives non-msocket connections
  path_failure        # a reset and a silent path are replaced without any move
  link_flap           # the client's link goes down and comes back
  multipath_handover  # --paths all: a path joins at 1/3, the first leaves at 2/3
  multipath_aggregate # two tbf paths (40+20 Mbit/s) beat the best single path, same run
  multipath_advertise # the server's second address, on the client's second network, gets a flowpath
  multipath_prefer    # --prefer eth1: eth0's flowpath idles as a backup, then carries all when eth1 goes
)

if(TARGET mcat)
  foreach(name IN LISTS MSOCKET_NETNS_TESTS)
    add_test(NAME netns:${name}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/${name}.sh $<TARGET_FILE:mcat>)
    set_tests_properties(netns:${name} PROPERTIES
      SKIP_RETURN_CODE 77 TIMEOUT 180 RUN_SERIAL TRUE LABELS netns)
  endforeach()

  # A MIGRATE with a wrong MAC, sent by a stranger who knows the conn id.
  if(TARGET forge_migrate)
    add_test(NAME netns:forged_migrate
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/forged_migrate.sh
              $<TARGET_FILE:mcat> $<TARGET_FILE:forge_migrate>)
    set_tests_properties(netns:forged_migrate PROPERTIES
      SKIP_RETURN_CODE 77 TIMEOUT 180 RUN_SERIAL TRUE LABELS netns)
  else()
    message(WARNING "tests/netns: no forge_migrate target; netns:forged_migrate not registered")
  endif()
else()
  message(WARNING "tests/netns: no mcat target; namespace tests not registered")
endif()

# Names: connect-time, server and simultaneous mobility through mnamed.
set(MSOCKET_NETNS_NAMES_TESTS
  names_connect_time  # the server moves between the client's lookup and its connect
  names_server_move   # 20 clients mid-download; the server moves; RECONNECT
  names_both_move     # both ends move with no path in between (watch + retry)
  names_restart       # mnamed killed with SIGKILL mid-run and restarted
  names_wrong_key     # a registration signed by another key is refused
)
if(TARGET mcat AND TARGET mnamed)
  foreach(name IN LISTS MSOCKET_NETNS_NAMES_TESTS)
    add_test(NAME netns:${name}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/${name}.sh $<TARGET_FILE:mcat> $<TARGET_FILE:mnamed>)
    set_tests_properties(netns:${name} PROPERTIES
      SKIP_RETURN_CODE 77 TIMEOUT 180 RUN_SERIAL TRUE LABELS netns)
  endforeach()
else()
  message(WARNING "tests/netns: no mcat or mnamed target; name service tests not registered")
endif()

# The user-space link emulator (mbench link): delay, rate and loss as asked.
if(TARGET mbench)
  add_test(NAME netns:link_emulator
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/link_emulator.sh $<TARGET_FILE:mbench>)
  set_tests_properties(netns:link_emulator PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 180 RUN_SERIAL TRUE LABELS netns)
  # mbench recovery client|server|both --quick: well-formed results, nothing left behind.
  add_test(NAME netns:mbench_recovery
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/mbench_recovery.sh $<TARGET_FILE:mbench>)
  set_tests_properties(netns:mbench_recovery PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 300 RUN_SERIAL TRUE LABELS netns)
  # mbench multipath --quick and handover --quick over the two-path testbed: all rows, bytes checked.
  foreach(name IN ITEMS mbench_multipath mbench_handover)
    add_test(NAME netns:${name}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/${name}.sh $<TARGET_FILE:mbench>)
    set_tests_properties(netns:${name} PROPERTIES
      SKIP_RETURN_CODE 77 TIMEOUT 150 RUN_SERIAL TRUE LABELS netns)
  endforeach()
  # mbench energy --quick: three cases per size, positive energy, nothing left behind.
  add_test(NAME netns:mbench_energy
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/mbench_energy.sh $<TARGET_FILE:mbench>)
  set_tests_properties(netns:mbench_energy PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 150 RUN_SERIAL TRUE LABELS netns)
else()
  message(WARNING "tests/netns: no mbench target; netns:link_emulator and netns:mbench_recovery not registered")
endif()
