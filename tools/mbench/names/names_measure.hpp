// The measurements of `mbench names`, made with lib/names' Client against
// one server: lookup latency, lookup and update rates with one and with
// several clients, and how soon a long-poll watcher learns of an update.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include <boost/asio/ip/udp.hpp>

#include "common/latency_summary.hpp"
#include "common/progress.hpp"
#include "names/client.hpp"
#include "names/names_dns.hpp"
#include "session/types.hpp"

namespace msocket::mbench {

struct NamesWorkload {
  names::ServerUrl server;
  unsigned lookups = 2000;  // sequential lookups timed one by one
  unsigned clients = 8;     // clients at once, each with its own connection (and name, for updates)
  Duration phase_time = std::chrono::seconds(2);  // length of each rate measurement
  unsigned watches = 200;   // updates whose notification is timed
  unsigned writers = 64;    // writers at once, one key and name each, for the group commit
  std::string name_prefix;  // the names this run writes: PREFIX.bench, PREFIX-1.bench, ...
  // The server's DNS face (mnamed serve --dns) and its zone; none: not measured.
  std::optional<boost::asio::ip::udp::endpoint> dns;
  std::string dns_zone;
};

struct NamesMeasurements {
  LatencySummary lookup_ms;         // GET of a registered name, signature verified
  LatencySummary absent_lookup_ms;  // GET of an unknown name (404): the baseline round trip
  double lookups_per_second = 0;    // one client
  double absent_per_second = 0;     // one client asking for an unknown name
  double concurrent_lookups_per_second = 0;
  double concurrent_absent_per_second = 0;  // the same clients asking for unknown names
  LatencySummary update_ms;         // signed PUT, acknowledged once fsynced
  double updates_per_second = 0;    // one client
  double concurrent_updates_per_second = 0;  // `clients` clients, one name each
  LatencySummary watch_ms;          // PUT acknowledged -> watcher has the new record
  double loaded_updates_per_second = 0;  // `writers` writers at once: updates sharing fdatasyncs
  LatencySummary loaded_lookup_ms;  // lookups made meanwhile, by one more client
  std::optional<DnsMeasurements> dns;  // A queries of the registered name, if workload.dns
};

// Client code that runs one operation on a client; the integer is the
// client's index (0 to clients - 1).
using NamesOperation = std::function<boost::asio::awaitable<void>(names::Client&, unsigned)>;

// A lookup of `name`, which must be found if `registered`, else not found.
// Throws std::runtime_error otherwise.
boost::asio::awaitable<void> expect_lookup(names::Client& client, const std::string& name, bool registered);

// `count` clients (client i talks to servers[i % servers.size()]) each run
// `operation` once (to connect and warm up), then all of them repeat it
// until `phase_time` has passed. Operations completed per second of the
// timed part, from its start to the end of the last one.
boost::asio::awaitable<double> rate_with_clients(std::vector<names::ServerUrl> servers, Duration phase_time,
                                                 unsigned count, NamesOperation operation);

// Runs every measurement in turn, reporting each step to `progress` (steps
// 2 to 7 of the benchmark, 8 with DNS). Throws std::runtime_error when an operation
// fails, Interrupted on SIGINT or SIGTERM.
NamesMeasurements measure_names(const NamesWorkload& workload, Progress& progress);

}  // namespace msocket::mbench
