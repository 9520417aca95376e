#include "names/names_load.hpp"

#include <exception>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio = boost::asio;

namespace msocket::mbench {

asio::awaitable<void> NameWriter::put_next(names::Client& client) {
  names::Record record;
  record.name = name_;
  record.addresses = {"192.0.2." + std::to_string(1 + address_counter_++ % 250) + ":7000"};
  record.version = names::next_version(version_ ? std::optional<std::uint64_t>(version_) : std::nullopt);
  record.expires = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                       .count();
  names::sign(record, key_);
  const auto version = record.version;
  auto stored = co_await client.put(std::move(record));
  if (!stored) throw std::runtime_error("update of " + name_ + " failed: " + stored.error().message());
  version_ = version;
}

asio::awaitable<void> join_all(std::vector<asio::awaitable<void>> tasks) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer all_ended(executor, asio::steady_timer::time_point::max());
  std::size_t running = tasks.size();
  std::exception_ptr first_error;
  for (auto& task : tasks) {
    asio::co_spawn(executor, std::move(task), [&](std::exception_ptr error) {
      if (error && !first_error) first_error = error;
      if (--running == 0) all_ended.cancel();
    });
  }
  // Woken by cancel(): the wait's operation_aborted is the signal, not a failure.
  if (running > 0) co_await all_ended.async_wait(asio::as_tuple(asio::use_awaitable));
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace msocket::mbench
