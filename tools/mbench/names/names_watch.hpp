// Watch notification latency: how long after an update is acknowledged to
// its writer a long-poll watcher (GET /v1/watch) has the new record. The
// watcher runs on a thread of its own, so that neither side's processing
// (the writer verifies the answer to its PUT, the watcher the record it
// gets) delays the other's clock.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "names/client.hpp"
#include "names/names_load.hpp"

namespace msocket::mbench {

// Makes `rounds` updates of `writer`'s name (already registered), one at a
// time: each waits until the watcher has the previous one and has had a
// moment to ask again, so that every update finds a watch held on the
// server. Throws std::runtime_error if an update fails or the watcher stops
// hearing of them for 5 s. The writer uses `server`, the watcher
// `watcher_server` (another front end of one shared store, or the same).
struct WatchLatencies {
  std::vector<double> from_request_ms;  // per update: PUT sent -> the watcher has it
  // PUT acknowledged -> the watcher has it; 0 when the watcher had it first
  // (a shared store tells every front end at once, the writer's included).
  std::vector<double> from_acknowledgement_ms;
};
boost::asio::awaitable<WatchLatencies> measure_watch_latency(names::ServerUrl server, names::ServerUrl watcher_server,
                                                             NameWriter& writer, unsigned rounds);

}  // namespace msocket::mbench
