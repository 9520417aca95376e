#include "namespace_lookup.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

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

// Runs on its own thread: setns(2) changes the namespace of the calling
// thread only, so mbench's other threads stay where they are.
void lookups_in_namespace(const std::string& netns, const names::ServerUrl& server, const std::string& name,
                          unsigned count, std::vector<double>& milliseconds) {
  const auto path = "/run/netns/" + netns;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  const int entered = ::setns(fd, CLONE_NEWNET);
  const int setns_errno = errno;
  ::close(fd);
  if (entered != 0) throw std::runtime_error("cannot enter namespace " + netns + ": " + std::strerror(setns_errno));
  asio::io_context context;
  std::exception_ptr failure;
  asio::co_spawn(context, timed_lookups(server, name, count, milliseconds),
                 [&](std::exception_ptr e) { failure = e; });
  context.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::vector<double> time_lookups_in_namespace(const std::string& netns, const names::ServerUrl& server,
                                              const std::string& name, unsigned count) {
  std::vector<double> milliseconds;
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      lookups_in_namespace(netns, server, name, count, milliseconds);
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
  return milliseconds;
}

}  // namespace msocket::mbench
