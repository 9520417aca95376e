// What mcat does, as a library: connect or listen, and splice each msocket
// connection with stdio, a child process, or a plain TCP connection (port
// forwarding for unmodified programs). mcat's main only parses options.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/stream.hpp"
#include "relay/splice.hpp"

namespace msocket::relay {

struct HostPort {
  std::string host;
  std::string port;
};

// -4, -6: which address family to connect or listen with.
enum class Family { any, v4, v6 };

struct NetcatOptions {
  bool listen = false;
  bool keep_open = false;                // -k: go on accepting
  HostPort target;                       // connect: the peer; listen: the bind address
  Family family = Family::any;           // listen: `::` (both families) unless -4
  std::optional<std::string> exec;       // -e: argv split on blanks, no shell
  std::optional<std::string> sh_exec;    // -c: run by /bin/sh -c
  std::optional<HostPort> forward;       // listen: splice each connection to this TCP service
  std::optional<HostPort> local;         // connect: accept plain TCP here, one connection each
  SpliceOptions splice;
  Options connection;                    // -s, -w, --linger, ...
  std::optional<std::string> stats_file;  // --stats: JSON on exit
  // Listen: register the listener under this name (connection.name_service,
  // signed with the key in `key_file`) and keep the record current. The
  // key also signs every handshake (docs/protocol.md §4.3), with or
  // without a name.
  std::optional<std::string> register_name;
  std::optional<std::string> key_file;
  // Listen behind NAT: reserve register_name on these relays (mproxy,
  // "HOST:PORT") and publish their addresses instead of ours; on
  // `proxy_count` of them at once (0: all), the nearest, replacing one lost.
  std::vector<std::string> proxies;
  std::size_t proxy_count = 0;
  // --proxy auto: the relays are those of the pool in the name service.
  bool proxy_pool = false;
};

// Exit status as ncat: 0 success, 1 a network or other runtime failure, 2 a
// usage error; and, as ssh refuses a changed host key, 3 when the server is
// not who it must be (its key is not the pinned or given one).
inline constexpr int kExitOk = 0;
inline constexpr int kExitNetwork = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitIdentity = 3;
// -l --proxy: every relay refused the reservation, for the reason of the
// first one. (A relay that says the key does not own the name is a usage
// error, 2, as the name service's own "owned by another key".)
inline constexpr int kExitRelayFull = 4;
inline constexpr int kExitRelayLimited = 5;
inline constexpr int kExitRelayDraining = 6;

// Whether a connect failed because the peer's key is not the expected one.
bool identity_error(const boost::system::error_code& ec);

// Runs until done; prints `mcat: ...` for failures. Returns the exit status.
asio::awaitable<int> run_netcat(NetcatOptions options);

// Asks every connection this process opened to migrate its flowpaths now
// (mobility asked by the application; mcat does it on SIGUSR1).
void migrate_all();

// Ends the process's work in order (SIGINT, SIGTERM): listeners stop
// accepting, and each connection is closed at the stream level (local input
// no longer read, our direction half-closed), its peer given `grace` to close
// too before it is reset. run_netcat then completes.
void close_all(Duration grace);
// True once close_all() has been called.
bool stopping();

// Writes the JSON statistics (bytes_sent, bytes_received, flowpaths_opened,
// migrations) summed over `all`.
bool write_stats_json(const std::string& path, const std::vector<Stats>& all);

}  // namespace msocket::relay
