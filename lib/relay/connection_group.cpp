#include "relay/connection_group.hpp"

#include <cstdio>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "msocket/types.hpp"

namespace msocket::relay {

ConnectionGroup::ConnectionGroup(asio::any_io_executor ex) : ex_(ex), idle_(ex, TimePoint::max()) {}

void ConnectionGroup::spawn(asio::awaitable<void> connection) {
  ++running_;
  asio::co_spawn(ex_, std::move(connection), [this](std::exception_ptr e) {
    if (e) std::fprintf(stderr, "mcat: internal error in a connection\n");
    if (--running_ == 0) idle_.cancel();
  });
}

asio::awaitable<void> ConnectionGroup::wait_all() {
  while (running_ > 0) {
    idle_.expires_at(TimePoint::max());
    co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace msocket::relay
