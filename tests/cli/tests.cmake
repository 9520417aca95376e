# Command-line tests of mcat on loopback (STYLE.md, "Tests"): each starts
# `mcat -l -v 127.0.0.1 0`, reads the port from its `listening on` line, runs
# clients and compares what arrives. Included from tests/CMakeLists.txt.
# Every process runs under `timeout`; a missing helper command (jq, socat,
# mandoc) makes the test exit 77, reported as skipped.

# msocket_add_cli_tests(TOOL NAME...): cli:NAME runs tests/cli/NAME.sh with
# the path of TOOL's executable; none if there is no TOOL target.
function(msocket_add_cli_tests tool)
  if(NOT TARGET ${tool})
    message(WARNING "tests/cli: no ${tool} target; its command-line tests are not registered")
    return()
  endif()
  foreach(name IN LISTS ARGN)
    add_test(NAME cli:${name}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/${name}.sh $<TARGET_FILE:${tool}>)
    set_tests_properties(cli:${name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS cli)
  endforeach()
endfunction()

msocket_add_cli_tests(mcat
  transfer          # 8 MiB each way at once; --stats byte counts
  half_close        # EOF one way while the other carries on; --no-shutdown
  eof_listener      # the peer's EOF ends a listener's connection although its input is open
  eof_client        # the peer's EOF ends a client although its input is open
  keep_open_connect # -k in connect mode: goes on after the peer's EOF
  serve_file        # serving a file: --send-only on the listener, or --recv-only on the client
  signal_close      # SIGINT/SIGTERM close in order: the peer exits 0
  exec_ncat_env     # -c children get NCAT_* (and MCAT_*) addresses
  exit_status       # runtime failures exit 1, usage errors 2
  listen_dual_stack # no address: IPv4 and IPv6; -4 and -6
  exec              # -e /bin/cat, -c 'tr a-z A-Z', MCAT_* environment
  exec_hygiene      # -e children: only fds 0-2, default signals, reaped (no zombies after 50)
  send_recv_only    # --recv-only sends nothing, --send-only writes nothing
  timeouts          # -i 500ms on an idle connection, -q 1 after stdin EOF
  errors            # usage errors exit 2, network errors exit 1, -w bounds the handshake
  keep_open         # -l -k: clients in turn and at once; -k -c
  forward           # --local and --forward carry plain TCP connections
  migrate_signal    # SIGUSR1: migration on demand, stream intact, stats
  peer_reset        # the peer's reset ends mcat although its stdin is idle
  linger            # a client whose server is gone gives up after --linger
  manpage           # man/mcat.1 is lint-clean and lists every option of --help
)

# Command-line tests of mnamed, the name service, on loopback: each starts
# `mnamed serve --listen 127.0.0.1:0` and reads the port from its
# `listening on` line.
msocket_add_cli_tests(mnamed
  mnamed_roundtrip  # keygen, register, lookup; exit codes 0, 1, 2; --help everywhere
  mnamed_crash      # kill -9 right after an acknowledged update; restart keeps it
  mnamed_wrong_key  # another key's update and delete are refused; record unchanged
  mnamed_watch      # watch prints each change as it is written
  mnamed_manpage    # man/mnamed.8 is lint-clean and lists every subcommand and option
  mnamed_tombstone  # a delete's tombstone: the old record, replayed, is refused, before and after a restart
  mnamed_limits     # one source holding all its watches and connections: another's lookups are answered; 429s
  mnamed_etcd       # --store etcd=: two front ends on one member share records and watches; usage errors
  mnamed_pinning    # lookup pins the owner key; another key's record exits 3 naming both keys
  mnamed_list       # list PREFIX: the live records under it, in name order; --limit; forged ones left out
  mnamed_dns        # serve --dns: dig A, AAAA, SRV, TXT, NXDOMAIN, REFUSED, TC then TCP; bad datagrams unanswered
)

# mbench's benchmarks in their --quick form (well-formed results, plausible
# numbers, no timing thresholds; mnamed and mcat are found next to mbench),
# and its manual page, which keeps up with the --help of every subcommand.
msocket_add_cli_tests(mbench
  mbench_names       # names --quick: JSON, CSV, table; mnamed stopped, data removed
  mbench_names_etcd  # names --etcd --quick: the etcd scenarios against the log store; nothing left running
  mbench_throughput  # throughput --quick: mcat, mcat --no-encrypt and socat on loopback; targets; charts; usage errors
  mbench_proxy       # proxy --quick: mcat through mproxy by name against mcat directly; relay CPU; share spliced
  mbench_handshake   # handshake, 12 connections: unsigned and signed mcat -l -k listeners; JSON, CSV, table
  mbench_scale       # scale, 200 connections to mcat -l -k and to the acceptor: echoes, rows, JSON, CSV
  mbench_energy_trace  # energy --power-trace: a known answer; a malformed trace names its line (exit 1)
  mbench_multipath_usage  # multipath and handover: usage errors exit 2; mptcp-serve/fetch hidden but with --help
)
if(TARGET mbench)
  foreach(subcommand IN ITEMS link names throughput proxy handshake recovery energy multipath handover scale)
    set(test_name cli:mbench_manpage)
    if(NOT subcommand STREQUAL "link")
      set(test_name cli:mbench_manpage_${subcommand})
    endif()
    add_test(NAME ${test_name}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/manpage.sh $<TARGET_FILE:mbench> mbench.1 ${subcommand})
    set_tests_properties(${test_name} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS cli)
  endforeach()
endif()

# mproxy's manual page keeps up with its --help; the pool of relays in mnamed,
# and mcat -l --proxy auto picking its relay there.
if(TARGET mproxy AND TARGET mnamed AND TARGET mcat)
  add_test(NAME cli:mproxy_pool
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/mproxy_pool.sh $<TARGET_FILE:mproxy> $<TARGET_FILE:mnamed>
            $<TARGET_FILE:mcat>)
  set_tests_properties(cli:mproxy_pool PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS cli)
endif()
if(TARGET mproxy)
  add_test(NAME cli:mproxy_manpage
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/manpage.sh $<TARGET_FILE:mproxy> mproxy.8)
  set_tests_properties(cli:mproxy_manpage PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS cli)
endif()

# Encryption at both ends or neither (--no-encrypt), and --peer-key by
# address: mcat, with keys made by mnamed keygen.
if(TARGET mcat AND TARGET mnamed)
  add_test(NAME cli:encryption_choice
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/encryption_choice.sh $<TARGET_FILE:mcat> $<TARGET_FILE:mnamed>)
  set_tests_properties(cli:encryption_choice PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 LABELS cli)
endif()
