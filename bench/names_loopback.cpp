// Lookup latency and update rate of the name service in one process on
// loopback: lib/names' Server over a LogStore in a new temporary directory,
// and its Client on one keep-alive connection. Each figure comes with a
// baseline from the same run: for lookups, lookups of a name that does not
// exist (the same HTTP round trip, with no record to read, send or verify);
// for updates, appends made durable with fdatasync in the same directory,
// which every update waits for. `mbench names` measures a real mnamed.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <boost/asio.hpp>

#include "command_line.hpp"
#include "core/log.hpp"
#include "names/client.hpp"
#include "names/name_error.hpp"
#include "names/registry.hpp"
#include "names/server.hpp"
#include "names/log_store.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace msocket::names;
using Clock = std::chrono::steady_clock;

struct Figures {
  double lookup_us = 0, unknown_lookup_us = 0;  // per lookup
  double updates_per_second = 0, syncs_per_second = 0;
};

// Microseconds per call of `call`, awaited `count` times.
template <class Call>
asio::awaitable<double> microseconds_each(int count, Call call) {
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) co_await call();
  co_return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / count;
}

Record signed_record(const SigningKey& key, std::uint64_t version) {
  Record record;
  record.name = "bench.example";
  record.addresses = {"10.0.0.1:1"};
  record.version = version;
  record.expires =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      3600;
  sign(record, key);
  return record;
}

asio::awaitable<void> measure(Client& client, int lookups, int updates, Figures& figures) {
  const auto key = generate_signing_key();
  // Named, not a temporary in the co_await: g++ 12 miscompiles a braced
  // initializer list there ("array used as initializer").
  const Registration registration{"bench.example", {"10.0.0.1:1"}, {}};
  const auto published = co_await publish(client, key, registration);
  if (!published) throw std::runtime_error("publish: " + published.error().message());
  figures.lookup_us = co_await microseconds_each(lookups, [&]() -> asio::awaitable<void> {
    const auto found = co_await client.lookup("bench.example");
    if (!found) throw std::runtime_error("lookup: " + found.error().message());
  });
  figures.unknown_lookup_us = co_await microseconds_each(lookups, [&]() -> asio::awaitable<void> {
    const auto found = co_await client.lookup("unknown.example");
    if (found || found.error() != name_error::not_found) throw std::runtime_error("a lookup of an unknown name found it");
  });
  std::uint64_t version = published->version;
  const double update_us = co_await microseconds_each(updates, [&]() -> asio::awaitable<void> {
    const auto stored = co_await client.put(signed_record(key, ++version));
    if (!stored) throw std::runtime_error("put: " + stored.error().message());
  });
  figures.updates_per_second = 1e6 / update_us;
}

// Appends of a record's size to a new file in `dir`, each made durable with
// fdatasync before the next, as the LogStore does for each update: per second.
double fdatasyncs_per_second(const fs::path& dir, int count) {
  const auto file = dir / "fdatasync.bench";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  const std::string line = std::string(299, 'x') + "\n";
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i)
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fdatasync(fd) != 0)
      throw std::runtime_error("append and fdatasync in " + dir.string() + ": " + std::strerror(errno));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  fs::remove(file);
  return count / seconds;
}

// Runs the server and the measurements on one io_context; throws what failed.
Figures run(const fs::path& dir, int lookups, int updates) {
  asio::io_context context;  // outlives the store, whose writer wakes requests through it
  auto store = LogStore::open(dir);
  if (!store) throw std::runtime_error("cannot open a store in " + dir.string() + ": " + store.error().message());
  Registry registry(**store);
  ServerOptions options;
  options.update_rate.per_second = 0;  // one key updates back to back: measure the server, not its limit
  auto server = Server::start(context.get_executor(), registry, options);
  if (!server) throw std::runtime_error("cannot start the server: " + server.error().message());
  Client client(context.get_executor(), {"127.0.0.1", std::to_string((*server)->local_endpoint().port())});
  Figures figures;
  std::exception_ptr failure;
  asio::co_spawn(context, measure(client, lookups, updates, figures), [&](std::exception_ptr e) {
    failure = e;
    (*server)->stop();
  });
  context.run();
  if (failure) std::rethrow_exception(failure);
  figures.syncs_per_second = fdatasyncs_per_second(dir, updates);
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  bench::po::options_description options("Options");
  options.add_options()
      ("lookups", bench::po::value<int>()->default_value(1000), "lookups timed, of each kind")
      ("updates", bench::po::value<int>()->default_value(200), "signed updates timed, and fdatasyncs");
  bench::po::variables_map values;
  if (const auto status = bench::parse_command_line(
          argc, argv, options, values, "usage: bench_names_loopback [--lookups N] [--updates N]\n",
          "Lookup latency and update rate of lib/names' server and client in one process on loopback,\n"
          "each next to a baseline from the same run: a lookup of an unknown name, and an append with\n"
          "fdatasync in the server's data directory. Exit status: 0 success, 1 a run failed, 2 usage error.\n"))
    return *status;
  const int lookups = values["lookups"].as<int>(), updates = values["updates"].as<int>();
  if (lookups < 1 || updates < 1) {
    std::fprintf(stderr, "bench_names_loopback: --lookups and --updates want a number above 0\n");
    return 2;
  }
  msocket::log::send_logs_to_stderr(0);  // warnings only: the server logs every update at info
  const auto dir = fs::temp_directory_path() / ("bench-names-" + std::to_string(::getpid()));
  try {
    fs::create_directories(dir);
    const auto f = run(dir, lookups, updates);
    fs::remove_all(dir);
    std::printf("%-8s %12s %12s %8s  %s\n", "", "measured", "baseline", "ratio", "the baseline");
    std::printf("%-8s %9.1f us %9.1f us %8.2f  a lookup of an unknown name (%d each)\n", "lookup", f.lookup_us,
                f.unknown_lookup_us, f.lookup_us / f.unknown_lookup_us, lookups);
    std::printf("%-8s %10.0f/s %10.0f/s %8.2f  an append with fdatasync (%d each; updates are signed puts)\n",
                "update", f.updates_per_second, f.syncs_per_second, f.updates_per_second / f.syncs_per_second,
                updates);
    return 0;
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    std::fprintf(stderr, "bench_names_loopback: %s\n", e.what());
    return 1;
  }
}
