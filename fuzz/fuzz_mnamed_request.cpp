// mnamed's request handling (names::Server, lib/names/server.cpp) on
// arbitrary bytes: the input is what a client writes on one connection (one
// request or several, pipelined), sent over loopback to a real Server, whose
// request_parser reads it with the service's own limits and whose answer()
// replies. The answer function is internal to the server, so the socket is
// the way in. The registry behind it keeps its records in memory (the
// rules of names::Registry, not the log file's fsyncs) and is emptied for
// each input, the clock is fixed, and watches answer at once (no holding).
// Checks: the server answers within a bound, and what it writes back is
// well-formed HTTP/1.1, with known statuses and JSON bodies.
#include <array>
#include <chrono>
#include <map>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "check.hpp"
#include "names/name_error.hpp"
#include "names/server.hpp"

namespace {

using namespace msocket;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// The seeds' records expire an hour after this (make_corpus.cpp).
constexpr std::int64_t kNow = 1'800'000'000;

// Every write is durable at once; emptied for each input.
class MemoryStore final : public names::Store {
 public:
  asio::awaitable<result<std::optional<names::StoredName>>> find(std::string name) override {
    auto it = entries_.find(name);
    co_return it == entries_.end() ? std::nullopt : std::optional<names::StoredName>(it->second.entry);
  }
  asio::awaitable<result<names::NewestEntry>> find_newest(std::string name) override {
    auto it = entries_.find(name);
    if (it == entries_.end()) co_return names::NewestEntry{};
    co_return names::NewestEntry{it->second.entry, it->second.revision};
  }
  asio::awaitable<result<std::vector<names::StoredName>>> find_prefix(std::string prefix, std::size_t limit) override {
    std::vector<names::StoredName> found;
    for (auto it = entries_.lower_bound(prefix); it != entries_.end() && found.size() < limit; ++it) {
      if (!it->first.starts_with(prefix)) break;
      found.push_back(it->second.entry);
    }
    co_return found;
  }
  asio::awaitable<error_code> write_if(names::StoredName entry, names::Revision expected) override {
    auto& slot = entries_[entry.record.name];
    if (slot.revision != expected) co_return names::name_error::store_conflict;
    slot.entry = std::move(entry);
    slot.revision = names::Revision{++last_revision_};
    if (changed_) changed_(slot.entry.record.name);
    co_return error_code{};
  }
  void on_change(std::function<void(const std::string&)> changed) override { changed_ = std::move(changed); }
  void clear() { entries_.clear(); }

 private:
  struct Slot {
    names::StoredName entry;
    names::Revision revision;
  };
  std::map<std::string, Slot> entries_;
  std::uint64_t last_revision_ = 0;
  std::function<void(const std::string&)> changed_;
};

// One server for the whole run: starting one per input would cost a port each.
struct Service {
  Service() {
    names::ServerOptions options;
    options.watch_wait = std::chrono::seconds(0);
    options.max_watch_wait = std::chrono::seconds(0);
    options.clock = [] { return kNow; };
    server = names::Server::start(context.get_executor(), registry, std::move(options)).value();
  }
  asio::io_context context;
  MemoryStore store;
  names::Registry registry{store};
  std::unique_ptr<names::Server> server;
};

// Connects, sends `request`, half-closes, and reads everything until the
// server closes, which must happen within 5 s of the connection (the
// handshake itself is the kernel's business: it needs no accept). Each
// input leaves this side in TIME_WAIT, having closed first; Linux reuses
// such ports for new connections on loopback (net.ipv4.tcp_tw_reuse, 2 by
// default), so thousands a second do not run out of ports.
std::string exchange(Service& service, std::span<const std::byte> request) {
  tcp::socket client(service.context);
  std::string answer;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  bool done = false;
  client.async_connect(service.server->local_endpoint(), [&](error_code connect_error) {
    FUZZ_CHECK(!connect_error);
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    asio::async_write(client, asio::buffer(request.data(), request.size()), [&](error_code ec, std::size_t) {
      if (!ec) client.shutdown(tcp::socket::shutdown_send, ec);
      asio::async_read(client, asio::dynamic_buffer(answer), [&](error_code, std::size_t) { done = true; });
    });
  });
  service.context.restart();
  while (!done && (!deadline || std::chrono::steady_clock::now() < *deadline))
    service.context.run_one_for(std::chrono::seconds(1));
  FUZZ_CHECK(done);  // the server neither answered nor closed in 5 s
  client.close();
  service.context.poll();
  return answer;
}

bool known_status(unsigned status) {
  // 429: the update and watch limits per source outlast one input, since
  // the service does (an input of many updates, after others, meets them).
  static constexpr std::array<unsigned, 14> kStatuses = {100, 200, 204, 400, 403, 404, 405,
                                                         409, 410, 413, 422, 429, 431, 503};
  return std::find(kStatuses.begin(), kStatuses.end(), status) != kStatuses.end();
}

// Checks each response in `text`, which must hold whole responses only.
void check_responses(std::string_view text) {
  while (!text.empty()) {
    http::response_parser<http::string_body> parser;
    parser.eager(true);
    parser.body_limit(1 << 20);
    error_code ec;
    const auto used = parser.put(asio::buffer(text.data(), text.size()), ec);
    FUZZ_CHECK(!ec && parser.is_done());
    text.remove_prefix(used);
    const auto& response = parser.get();
    FUZZ_CHECK(known_status(response.result_int()));
    if (response.result_int() == 100) continue;  // "Expect: 100-continue" answered
    if (!response.body().empty()) {
      boost::json::parse(response.body(), ec);
      FUZZ_CHECK(!ec);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Service service;
  service.store.clear();
  const auto answer = exchange(service, fuzz::bytes_of(data, size));
  // To see what the server said to an input: MSOCKET_FUZZ_VERBOSE=1 fuzz_mnamed_request FILE
  if (std::getenv("MSOCKET_FUZZ_VERBOSE")) std::fwrite(answer.data(), 1, answer.size(), stderr);
  check_responses(answer);
  return 0;
}
