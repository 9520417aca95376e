#include "recovery/namespace_lookup.hpp"

#include <exception>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "testbed/namespace_entry.hpp"

namespace asio = boost::asio;

namespace msocket::mbench {

namespace {

asio::awaitable<void> timed_lookups(const names::ServerUrl& server, const std::string& name, unsigned count,
                                    std::vector<double>& milliseconds) {
  const auto executor = co_await asio::this_coro::executor;
  for (unsigned i = 0; i < count; ++i) {
    names::Client client(executor, server);  // a new connection each time
    const auto started = std::chrono::steady_clock::now();
    const auto record = co_await client.lookup(name);
    if (!record) throw std::runtime_error("lookup of " + name + " from the client's namespace: " + record.error().message());
    milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  }
}

}  // namespace

std::vector<double> time_lookups_in_namespace(const std::string& netns, const names::ServerUrl& server,
                                              const std::string& name, unsigned count) {
  std::vector<double> milliseconds;
  testbed::run_in_namespace(netns, [&] {
    asio::io_context context;
    std::exception_ptr failure;
    asio::co_spawn(context, timed_lookups(server, name, count, milliseconds),
                   [&](std::exception_ptr e) { failure = e; });
    context.run();
    if (failure) std::rethrow_exception(failure);
  });
  return milliseconds;
}

}  // namespace msocket::mbench
