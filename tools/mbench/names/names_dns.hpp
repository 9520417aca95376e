// The DNS part of `mbench names`: queries to mnamed's DNS face (mnamed
// serve --dns) for a registered name, over UDP, one at a time and from
// several sockets at once.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "common/latency_summary.hpp"
#include "session/types.hpp"

namespace msocket::mbench {

struct DnsWorkload {
  boost::asio::ip::udp::endpoint server;
  std::string name;  // a fully qualified name that has an A record, e.g. "NAME.mbench.test"
  unsigned queries = 2000;  // sequential queries timed one by one
  unsigned clients = 8;     // sockets at once for the rate, each one query in flight
  Duration phase_time = std::chrono::seconds(2);
};

struct DnsMeasurements {
  LatencySummary query_ms;            // A query sent -> its answer received
  double queries_per_second = 0;      // one socket
  double concurrent_queries_per_second = 0;  // `clients` sockets
};

// Throws std::runtime_error when a query goes unanswered for a second or is
// not answered NOERROR with one record; Interrupted on SIGINT or SIGTERM
// (the loops stop early).
boost::asio::awaitable<DnsMeasurements> measure_dns(const DnsWorkload& workload);

}  // namespace msocket::mbench
