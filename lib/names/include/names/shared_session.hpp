// The name service as one process sees it: for each io_context and list of
// front ends, one Client (its lookups, listings and updates share one
// kept-alive connection) and one Watcher (one watch of every name
// followed). Connections opened by name share it, so that N of them cost
// the name service two connections, not 2N.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "names/client.hpp"
#include "names/watcher.hpp"

namespace msocket::names {

struct SharedSession {
  SharedSession(boost::asio::any_io_executor executor, std::vector<ServerUrl> servers, ClientOptions options = {});
  Client client;
  std::shared_ptr<Watcher> watcher;
};

// The session of `executor`'s io_context for `servers` (the same list, in
// the same order): made at the first call, it lives as long as someone
// holds it, and a later call makes a new one. Call it from the executor's
// thread.
std::shared_ptr<SharedSession> shared_session(const boost::asio::any_io_executor& executor,
                                              const std::vector<ServerUrl>& servers);

}  // namespace msocket::names
