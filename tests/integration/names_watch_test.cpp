// The name service's long-poll watch and its connections: a held watch is
// woken by a put, deletions and timeouts end it, keep-alive is used and
// survives the server closing an idle connection, slow clients are cut off,
// many clients are served at once. Their latency and rates are measured by
// bench_names_loopback (bench/names_loopback.cpp).
#include <sys/resource.h>

#include <limits>

#include "names_fixture.hpp"

using namespace names_test;
using Kind = WatchEvent::Kind;

TEST_CASE("names: a held watch is woken by a put, at once", "[names]") {
  ServerOptions options;
  options.watch_wait = 15s;  // far above the bound checked below
  Service service(options);
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client watcher(executor, service.url()), writer(executor, service.url());
    const auto key = generate_signing_key();
    const Registration registration1{"phone.example", {"10.0.0.1:7000"}, {}};
    const auto first = co_await publish(writer, key, registration1);
    REQUIRE(first.has_value());

    msocket::result<WatchEvent> event = name_error::timeout;
    bool woken = false;
    auto wait_for_change = [&]() -> asio::awaitable<void> {
      event = co_await watcher.watch("phone.example", first->version);
      woken = true;
    };
    asio::co_spawn(executor, wait_for_change(), asio::detached);
    co_await eventually([&] { return service.server->watch_count() == 1; });
    CHECK_FALSE(woken);

    const auto start = std::chrono::steady_clock::now();
    const Registration registration2{"phone.example", {"10.0.0.2:7000"}, {}};
    const auto second = co_await publish(writer, key, registration2);
    REQUIRE(second.has_value());
    co_await eventually([&] { return woken; });
    const auto latency = std::chrono::steady_clock::now() - start;
    CHECK(latency < 2s);
    REQUIRE(event.has_value());
    CHECK(event->kind == Kind::changed);
    CHECK(event->record == *second);
    CHECK(service.server->watch_count() == 0);
  }());
}

namespace {

// CPU seconds this process has used so far.
double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

TEST_CASE("names: a watch of a record that expires at INT64_MAX waits without spinning", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    ClientOptions one_second;
    one_second.watch_wait = 1s;
    Client client(executor, service.url(), one_second);
    const auto key = generate_signing_key();
    auto record = signed_record(key, "forever.example", 1);
    record.expires = std::numeric_limits<std::int64_t>::max();  // its wake-up used to wrap into the past
    sign(record, key);
    const auto stored = co_await client.put(record);
    REQUIRE(stored.has_value());
    const auto cpu_before = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    auto event = co_await client.watch("forever.example", 1);
    const auto held = std::chrono::steady_clock::now() - start;
    const auto cpu = cpu_seconds() - cpu_before;
    REQUIRE(event.has_value());
    CHECK(event->kind == Kind::unchanged);
    CHECK(held >= 900ms);
    CHECK(cpu < 0.15);  // a spinning watch burns the second (as much of it as the machine gives)
  }());
}

TEST_CASE("names: watch answers at once when behind, reports deletion, and times out", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    ClientOptions short_wait;
    short_wait.watch_wait = 1s;
    Client client(executor, service.url(), short_wait);
    const auto key = generate_signing_key();
    const Registration registration3{"phone.example", {"10.0.0.1:7000"}, {}};
    const auto stored = co_await publish(client, key, registration3);
    REQUIRE(stored.has_value());

    auto behind = co_await client.watch("phone.example", 0);
    REQUIRE(behind.has_value());
    CHECK(behind->kind == Kind::changed);
    CHECK(behind->record == *stored);

    const auto start = std::chrono::steady_clock::now();
    auto quiet = co_await client.watch("phone.example", stored->version);
    REQUIRE(quiet.has_value());
    CHECK(quiet->kind == Kind::unchanged);
    CHECK(std::chrono::steady_clock::now() - start >= 900ms);

    const auto deleted = co_await unpublish(client, key, "phone.example");
    REQUIRE_FALSE(deleted);
    auto gone = co_await client.watch("phone.example", stored->version);
    REQUIRE(gone.has_value());
    CHECK(gone->kind == Kind::deleted);
    const auto unknown = co_await client.watch("no.such", 0);
    CHECK(unknown->kind == Kind::unchanged);
  }());
}

TEST_CASE("names: follow reports every change and deletion in order", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client watcher(executor, service.url()), writer(executor, service.url());
    const auto key = generate_signing_key();
    std::vector<WatchEvent> events;
    bool ended = false;
    auto following = [&]() -> asio::awaitable<void> {
      co_await follow(watcher, "phone.example", 0, [&](const WatchEvent& e) { events.push_back(e); });
      ended = true;
    };
    asio::co_spawn(executor, following(), asio::detached);
    for (int i = 1; i <= 3; ++i) {
      co_await eventually([&] { return service.server->watch_count() == 1; });
      const Registration registration4{"phone.example", {"10.0.0." + std::to_string(i) + ":1"}, {}};
      const auto published = co_await publish(writer, key, registration4);
      REQUIRE(published.has_value());
      co_await eventually([&] { return events.size() == static_cast<std::size_t>(i); });
    }
    co_await eventually([&] { return service.server->watch_count() == 1; });
    const auto deleted = co_await unpublish(writer, key, "phone.example");
    REQUIRE_FALSE(deleted);
    co_await eventually([&] { return events.size() == 4; });
    CHECK(events[2].record->addresses == std::vector<std::string>{"10.0.0.3:1"});
    CHECK(events[1].record->version > events[0].record->version);
    CHECK(events[3].kind == Kind::deleted);
    // Stopping the server ends `following` (with an error) while what it uses still lives.
    service.server->stop();
    co_await eventually([&] { return ended; });
  }());
}

TEST_CASE("names: keep-alive, and a new connection when the server closed the idle one", "[names]") {
  ServerOptions options;
  options.request_timeout = 300ms;
  Service service(options);
  service.run([&]() -> asio::awaitable<void> {
    Client client(co_await asio::this_coro::executor, service.url());
    const auto key = generate_signing_key();
    const auto put_a = co_await client.put(signed_record(key, "a", 1));
    REQUIRE(put_a.has_value());
    for (int i = 0; i < 20; ++i) {
      const auto found = co_await client.lookup("a");
      REQUIRE(found.has_value());
    }
    CHECK(service.server->connection_count() == 1);
    // The server drops the idle connection; the client's next lookup notices and reconnects.
    co_await eventually([&] { return service.server->connection_count() == 0; });
    const auto after_reconnect = co_await client.lookup("a");
    CHECK(after_reconnect.has_value());
  }());
}

TEST_CASE("names: a client too slow to send its request is cut off", "[names]") {
  ServerOptions options;
  options.request_timeout = 300ms;
  Service service(options);
  service.run([&]() -> asio::awaitable<void> {
    const auto start = std::chrono::steady_clock::now();
    const auto answer = co_await raw_bytes(service.port(), "GET /v1/names/a HTTP/1.1\r\nHost: x\r\n");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(answer.empty());
    CHECK(elapsed >= 250ms);
    CHECK(elapsed < 5s);
  }());
}

TEST_CASE("names: many clients at once", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    const auto key = generate_signing_key();
    Client writer(executor, service.url());
    const auto put_shared = co_await writer.put(signed_record(key, "shared.example", 7));
    REQUIRE(put_shared.has_value());
    constexpr int kClients = 64;
    int answered = 0, held = 0;
    auto one = [&]() -> asio::awaitable<void> {
      Client client(co_await asio::this_coro::executor, service.url());
      for (int i = 0; i < 5; ++i)
        if ((co_await client.lookup("shared.example"))->version == 7) ++answered;
      held = std::max<int>(held, static_cast<int>(service.server->connection_count()));
    };
    for (int i = 0; i < kClients; ++i) asio::co_spawn(executor, one(), asio::detached);
    co_await eventually([&] { return answered == kClients * 5; });
    CHECK(held > 1);
  }());
}

TEST_CASE("names: cancel ends a watch in flight at once", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client client(executor, service.url());
    msocket::result<WatchEvent> event = WatchEvent{};
    bool ended = false;
    auto watching = [&]() -> asio::awaitable<void> {
      event = co_await client.watch("quiet.example", 0);
      ended = true;
    };
    asio::co_spawn(executor, watching(), asio::detached);
    co_await eventually([&] { return service.server->watch_count() == 1; });
    const auto start = std::chrono::steady_clock::now();
    client.cancel();
    co_await eventually([&] { return ended; });
    CHECK(std::chrono::steady_clock::now() - start < 1s);
    CHECK(event.error() == asio::error::operation_aborted);
    const auto found = co_await client.lookup("quiet.example");  // the client still works
    CHECK(found.error() == name_error::not_found);
  }());
}

// Watches (server and client side) suspended when everything is destroyed:
// under the sanitizers this catches a double free or a use after free.
asio::awaitable<void> watch_forever(Client& client, bool& started) {
  started = true;
  const std::string name = "forever.example";
  auto event = co_await client.watch(name, 0);
  FAIL("the watch should never end");
}

TEST_CASE("names: destroying everything with watches in flight is safe", "[names]") {
  ServerOptions options;
  options.watch_wait = 60s;
  for (const bool client_first : {true, false}) {
    auto service = std::make_unique<Service>(options);
    auto client = std::make_unique<Client>(service->context.get_executor(), service->url());
    bool started = false;
    asio::co_spawn(service->context, watch_forever(*client, started), asio::detached);
    for (int i = 0; i < 500 && service->server->watch_count() == 0; ++i)
      service->context.run_for(std::chrono::milliseconds(10));
    REQUIRE(started);
    REQUIRE(service->server->watch_count() == 1);
    if (client_first) client.reset();
    service.reset();  // the server, then the io_context with the suspended frames
    client.reset();
  }
}
