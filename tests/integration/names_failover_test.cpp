// A client given several servers (front ends of one store) goes on through
// the next one when its own cannot be reached or drops the connection:
// lookups, puts and a held watch. The failover of mnamed front ends on a
// real etcd cluster is tests/netns/names_etcd_failover.sh.

#include "names_fixture.hpp"

using namespace names_test;

TEST_CASE("names: a client passes over a server it cannot reach and stays with the next", "[names]") {
  Service service;
  const auto dead = dead_server();
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client client(executor, std::vector<ServerUrl>{dead, service.url()});
    const auto key = generate_signing_key();
    const auto stored = co_await client.put(signed_record(key, "moving.example", 1));
    REQUIRE(stored.has_value());
    const auto found = co_await client.lookup("moving.example");
    REQUIRE(found.has_value());
    CHECK(*found == *stored);
  }());
}

TEST_CASE("names: a held watch moves to the next server when its own drops it", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    DyingFrontEnd dying(executor);

    Client watcher(executor, std::vector<ServerUrl>{dying.url(), service.url()});
    Client writer(executor, service.url());
    const auto key = generate_signing_key();
    const auto v1 = co_await writer.put(signed_record(key, "moving.example", 1));
    REQUIRE(v1.has_value());
    msocket::result<WatchEvent> event = name_error::timeout;
    bool woken = false;
    auto wait_for_change = [&]() -> asio::awaitable<void> {
      event = co_await watcher.watch("moving.example", 1);
      woken = true;
    };
    asio::co_spawn(executor, wait_for_change(), asio::detached);
    co_await eventually([&] { return dying.dropped() && service.server->watch_count() == 1; });
    const auto v2 = co_await writer.put(signed_record(key, "moving.example", 2, "10.0.0.2:7000"));
    REQUIRE(v2.has_value());
    co_await eventually([&] { return woken; });
    REQUIRE(event.has_value());
    CHECK(event->kind == WatchEvent::Kind::changed);
    CHECK(event->record->version == 2);
  }());
}
