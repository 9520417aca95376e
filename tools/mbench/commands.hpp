// The subcommands of mbench, each parsing its own arguments (after the
// subcommand's name) and running. They print --help and return 0; they
// throw UsageError or a Program_options error for a bad command line, and
// other exceptions for runtime failures (main turns them into exit 2 and 1).
#pragma once

#include <string>
#include <vector>

namespace msocket::mbench {

// mbench link: the user-space link emulator between two namespaces.
int run_link_command(const std::vector<std::string>& args, int verbosity);
// mbench names: the name service's latency and rates.
int run_names_command(const std::vector<std::string>& args, int verbosity);
// mbench throughput: one msocket path, encrypted and not, against plain TCP.
int run_throughput_command(const std::vector<std::string>& args, int verbosity);
// mbench proxy: one path through a relay (mproxy) against a direct one.
int run_proxy_command(const std::vector<std::string>& args, int verbosity);
// mbench handshake: new connections per second and their latency, with and
// without the listener's signature.
int run_handshake_command(const std::vector<std::string>& args, int verbosity);
// mbench recovery: recovery time after moves of the client, the server or both.
int run_recovery_command(const std::vector<std::string>& args, int verbosity);
// mbench multipath: download time over two paths, msocket against kernel MPTCP.
int run_multipath_command(const std::vector<std::string>& args, int verbosity);
// mbench handover: a download during which a path is lost, msocket against MPTCP.
int run_handover_command(const std::vector<std::string>& args, int verbosity);
// mbench mptcp-serve, mptcp-fetch (not in the usage): the two ends of the
// kernel MPTCP (or, with --tcp, plain TCP) download the benchmarks run.
int run_mptcp_serve_command(const std::vector<std::string>& args, int verbosity);
int run_mptcp_fetch_command(const std::vector<std::string>& args, int verbosity);
// mbench energy: energy per download over WiFi only, LTE only and both.
int run_energy_command(const std::vector<std::string>& args, int verbosity);
// mbench scale: memory and CPU of idle connections, 1,000 to 10,000 of them;
// scale-listen and scale-connect (not in the usage), its two ends
// (scale/scale_peers.hpp).
int run_scale_command(const std::vector<std::string>& args, int verbosity);
int run_scale_listen_command(const std::vector<std::string>& args, int verbosity);
int run_scale_connect_command(const std::vector<std::string>& args, int verbosity);

}  // namespace msocket::mbench
