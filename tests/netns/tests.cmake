# Real-process tests in network namespaces (DESIGN.md, "Testbed").
# Included from tests/CMakeLists.txt. They need root: without it they exit 77
# (skipped), unless MSOCKET_REQUIRE_NETNS=1 turns that into a failure.
# Each builds its own namespaces, so they run one at a time.

# msocket_add_netns_test(NAME TIMEOUT TOOL...): netns:NAME runs
# tests/netns/NAME.sh with the paths of the TOOLs' executables, TIMEOUT
# seconds at most; not registered (a warning says so) if a TOOL is missing.
function(msocket_add_netns_test name timeout)
  set(programs)
  foreach(tool IN LISTS ARGN)
    if(NOT TARGET ${tool})
      message(WARNING "tests/netns: no ${tool} target; netns:${name} not registered")
      return()
    endif()
    list(APPEND programs $<TARGET_FILE:${tool}>)
  endforeach()
  add_test(NAME netns:${name} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/netns/${name}.sh ${programs})
  set_tests_properties(netns:${name} PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT ${timeout} RUN_SERIAL TRUE LABELS netns)
endfunction()

foreach(name IN ITEMS
    move_transfer       # 64 MiB each way, client moves 3 times
    move_between_families # IPv4 -> IPv6-only -> IPv4, the server's IPv6 address learnt from ADDRESSES
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
  msocket_add_netns_test(${name} 180 mcat)
endforeach()

# mnamed on a three-member etcd cluster with two front ends (etcd_lib.sh).
msocket_add_netns_test(names_etcd_move 180 mcat mnamed)  # registered via one front end, watched via the other; the server moves
msocket_add_netns_test(names_etcd_failover 180 mnamed)   # an etcd member and a front end killed: nothing acknowledged lost
msocket_add_netns_test(names_etcd_race 180 mnamed)       # two front ends race on one name: one wins, the other is told why

# A MIGRATE with a wrong MAC, sent by a stranger who knows the conn id.
msocket_add_netns_test(forged_migrate 180 mcat forge_migrate)

# Names: connect-time, server and simultaneous mobility through mnamed.
foreach(name IN ITEMS
    names_connect_time  # the server moves between the client's lookup and its connect
    names_server_move   # 20 clients mid-download; the server moves; RECONNECT
    names_both_move     # both ends move with no path in between (watch + retry)
    names_restart       # mnamed killed with SIGKILL mid-run and restarted
    names_wrong_key     # a registration signed by another key is refused
    names_both_families # a "::" server registers both families; an IPv6-only client reaches it by name
    names_dns           # dig, getent and a plain TCP client by DNS name (mnamed --dns); mcat --local across a server move
  )
  msocket_add_netns_test(${name} 180 mcat mnamed)
endforeach()

# A second, fake mnamed serves srv under a fresh key at version 2^63: the
# client that pinned the real key refuses it (lookup exits 3, mcat does not connect).
msocket_add_netns_test(names_fake_service 120 mcat mnamed sign_record)
# mnamed's store on a tiny tmpfs (a mount namespace of its own): a full
# disk refuses the update with 500, and after a restart the earlier records are served.
msocket_add_netns_test(names_disk_full 90 mnamed)

# The user-space link emulator (mbench link): delay, rate and loss as asked.
msocket_add_netns_test(link_emulator 180 mbench)
# mbench recovery client|server|both --quick: well-formed results, nothing left behind.
msocket_add_netns_test(mbench_recovery 300 mbench)
# mbench multipath --quick and handover --quick over the two-path testbed: all rows, bytes checked.
msocket_add_netns_test(mbench_multipath 150 mbench)
msocket_add_netns_test(mbench_handover 150 mbench)
# mbench energy --quick: three cases per size, positive energy, nothing left behind.
msocket_add_netns_test(mbench_energy 150 mbench)
# 2,000 idle connections to the library's acceptor (echoed exactly) and to
# mcat -l -k, across a router: at most 16 KiB of listener memory each.
msocket_add_netns_test(scale_connections 150 mbench mcat)
# A server move with 200 connections on it (mbench scale --server-move):
# every one migrates and echoes exactly after it; p90 in RTTs printed.
msocket_add_netns_test(scale_server_move 120 mbench)

# The attacks of docs/protocol.md §4.4, each with a real transfer that must
# come through exactly (tests/tools/attacker).
foreach(name IN ITEMS
    attack_new_flood       # 3000 NEW+RST; clients echo 24 MiB and move; listener RSS and children bounded
    attack_fragments       # one byte in every other offset of the window; receiver RSS bounded
    attack_steal_flowpath  # a captured MIGRATE replayed from elsewhere gets only ciphertext
    attack_handshake_slots # 1000 silent connections from one address; a client connects and moves
    unconfirmed_first_bytes # mcat -l sends before the confirmation; -k and -c wait for it
  )
  msocket_add_netns_test(${name} 180 mcat attacker)
endforeach()
# A man in the middle with the server's own signed answer; --peer-key exits 3.
msocket_add_netns_test(attack_mitm 180 mcat mnamed attacker)

# NAT traversal through mproxy (tb_topology_nat): the server and the client
# each behind a NAT that lets nothing in, the relays and mnamed between them.
foreach(name IN ITEMS
    proxy_nat       # 12 MiB each way by name through a relay; client, server and both move mid-transfer; the server's NAT renumbers; the relay dials only mnamed
    proxy_refusals  # not the owner (exit 2), a full relay (exit 4), one name per address (exit 5), a control-port flood from one address leaves others their reservations
    proxy_relay_loss # a flowpath through each of two relays: one drains (record drops it within 1 s), one is killed (stall <= 1 s, no lookup); each carries >= 1/4, >= 0.85 x the sum of their rates; the pool: --proxy auto=1 replaces a killed relay
  )
  msocket_add_netns_test(${name} 180 mcat mnamed mproxy)
endforeach()
