#include "transport/early_connects.hpp"

#include <boost/asio/co_spawn.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/address_choice.hpp"
#include "transport/handshake.hpp"

namespace msocket::transport {

// One connect, shared by the coroutine that runs it and by the connection
// that may take it.
struct EarlyConnects::Entry {
  explicit Entry(asio::any_io_executor ex, Duration timeout) : deadline(ex, timeout), done(ex) {
    done.expires_at(asio::steady_timer::time_point::max());
  }
  asio::ip::address source;
  tcp::endpoint remote;
  asio::steady_timer deadline;            // cancelled to end the connect
  asio::steady_timer done;                // cancelled once `outcome` is set
  std::optional<result<tcp::socket>> outcome;
  bool taken = false;
  bool abandoned = false;  // its owner is gone: a socket that comes now is closed
};

namespace {

asio::awaitable<void> run_connect(std::shared_ptr<EarlyConnects::Entry> entry) {
  auto socket = co_await connect_socket(entry->remote, entry->source, entry->deadline);
  if (entry->abandoned) co_return;
  log::transport()->debug("early connect to {} from {}: {}", to_string(entry->remote), entry->source.to_string(),
                          socket ? "connected" : socket.error().message());
  entry->outcome = std::move(socket);
  entry->done.cancel();
}

bool same(const asio::ip::address& a, const asio::ip::address& b) { return paths::unmapped(a) == paths::unmapped(b); }

}  // namespace

EarlyConnects::EarlyConnects(asio::any_io_executor ex, const tcp::endpoint& remote, const Options& options) {
  const auto to = paths::unmapped(remote.address());
  for (std::size_t i = 0; i < options.extra_sources.size(); ++i) {
    const auto source = paths::unmapped(options.extra_sources[i]);
    if (source.is_v4() != to.is_v4() || (options.source && same(*options.source, source))) continue;
    auto entry = std::make_shared<Entry>(ex, options.connect_timeout);
    entry->source = source;
    entry->remote = remote;
    entries_.push_back(entry);
    asio::co_spawn(ex, run_connect(entry), log_coroutine_exception);
  }
}

EarlyConnects::~EarlyConnects() {
  for (auto& entry : entries_) {
    entry->abandoned = true;
    entry->deadline.cancel();
    entry->done.cancel();
    entry->outcome.reset();  // closes a socket never taken
  }
}

std::shared_ptr<EarlyConnects::Entry> EarlyConnects::untaken(const asio::ip::address& source,
                                                             const tcp::endpoint& remote) const {
  std::shared_ptr<Entry> found;
  for (const auto& entry : entries_)
    if (!entry->taken && entry->remote == remote && same(entry->source, source)) found = entry;
  return found;
}

bool EarlyConnects::holds(const asio::ip::address& source, const tcp::endpoint& remote) const {
  return untaken(source, remote) != nullptr;
}

asio::awaitable<result<tcp::socket>> EarlyConnects::take(const asio::ip::address& source, const tcp::endpoint& remote,
                                                         asio::steady_timer& deadline) {
  const auto entry = untaken(source, remote);
  if (!entry) co_return asio::error::not_connected;
  entry->taken = true;
  if (!entry->outcome) {
    auto finishing = entry->done.async_wait(use_tuple);
    auto expiring = deadline.async_wait(use_tuple);
    auto outcome = co_await first_of(finishing, expiring);
    if (outcome.index() == 1 || !entry->outcome) {
      entry->deadline.cancel();  // given up: the connect ends too
      co_return asio::error::timed_out;
    }
  }
  auto socket = std::move(*entry->outcome);
  entry->outcome.reset();
  co_return socket;
}

}  // namespace msocket::transport
