// A process's connections to the name service: a Client's requests share
// one connection, and connections opened by name (their NameLocators)
// share the process's session, so that 50 of them cost mnamed two TCP
// connections (one for lookups, one watch of every name), and each learns
// of its own peer's move, through the next front end when one dies.
#include "api/name_locator.hpp"
#include "names/shared_session.hpp"
#include "names_fixture.hpp"

using namespace names_test;
using msocket::api::NameLocator;

namespace {

std::string name_of(int i) { return "peer" + std::to_string(i % 10) + ".example"; }  // 10 names, 5 followers each
std::string address_of(int i, int generation) {
  return "10.0." + std::to_string(generation) + "." + std::to_string(i + 1) + ":7000";
}


}  // namespace

TEST_CASE("names: a client's requests at once wait their turn on one connection", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client client(executor, service.url());
    const auto key = generate_signing_key();
    co_await put_ok(client, signed_record(key, "one.example", 1));
    int found = 0, finished = 0;
    // The lambdas live through the test: their coroutines use their captures.
    auto look_up = [&]() -> asio::awaitable<void> {
      const auto record = co_await client.lookup("one.example");
      found += record.has_value();
      ++finished;
    };
    for (int i = 0; i < 50; ++i) asio::co_spawn(executor, look_up(), asio::detached);
    co_await eventually([&] { return finished == 50; });
    CHECK(found == 50);
    CHECK(service.server->accepted_count() == 1);

    // cancel() ends the requests waiting their turn as well as the one in flight.
    int cancelled = 0;
    finished = 0;
    auto look_up_cancelled = [&]() -> asio::awaitable<void> {
      const auto record = co_await client.lookup("one.example");
      cancelled += !record && record.error() == asio::error::operation_aborted;
      ++finished;
    };
    for (int i = 0; i < 5; ++i) asio::co_spawn(executor, look_up_cancelled(), asio::detached);
    client.cancel();
    co_await eventually([&] { return finished == 5; });
    CHECK(cancelled >= 4);
    const auto after_cancel = co_await client.lookup("one.example");
    CHECK(after_cancel.has_value());
  }());
}

TEST_CASE("names: 50 connections by name cost mnamed two connections, and each follows its peer", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    const std::vector<ServerUrl> servers{service.url()};
    const auto key = generate_signing_key();
    {
      Client writer(executor, service.url());
      for (int i = 0; i < 10; ++i)
        co_await put_ok(writer, signed_record(key, name_of(i), 1, address_of(i, 1)));
    }
    const auto accepted_before = service.server->accepted_count();
    constexpr int kConnections = 50;
    std::vector<std::shared_ptr<NameLocator>> locators;
    std::vector<NameLocator::Endpoints> moved(kConnections);
    int resolved = 0;
    // The lambda lives through the test: its coroutines use its captures.
    auto resolve_and_follow = [&](int i) -> asio::awaitable<void> {
      const auto where = co_await locators[i]->resolve();
      REQUIRE(where.has_value());
      CHECK(where->front().address().to_string() == "10.0.1." + std::to_string(i % 10 + 1));
      locators[i]->follow([&moved, i](const NameLocator::Endpoints& now) { moved[i] = now; });
      ++resolved;
    };
    for (int i = 0; i < kConnections; ++i)
      locators.push_back(std::make_shared<NameLocator>(executor, servers, name_of(i), ""));
    for (int i = 0; i < kConnections; ++i) asio::co_spawn(executor, resolve_and_follow(i), asio::detached);
    co_await eventually([&] { return resolved == kConnections && service.server->watch_count() == 1; });

    // Each peer moves; the process's own session writes it (its lookup connection).
    auto session = shared_session(executor, servers);
    for (int i = 0; i < 10; ++i)
      co_await put_ok(session->client, signed_record(key, name_of(i), 2, address_of(i, 2)));
    co_await eventually([&] {
      return std::all_of(moved.begin(), moved.end(), [](const auto& where) { return !where.empty(); });
    });
    for (int i = 0; i < kConnections; ++i)
      CHECK(moved[i].front().address().to_string() == "10.0.2." + std::to_string(i % 10 + 1));
    CHECK(service.server->accepted_count() - accepted_before <= 2);
    CHECK(service.server->connection_count() <= 2);
    for (auto& locator : locators) locator->stop();
  }());
}

TEST_CASE("names: connections by name go on through the next front end when theirs dies, watches held", "[names]") {
  Service service;
  // The second front end of the same store, started once the first has
  // died (a store tells one server of its changes), on a port kept for it.
  ServerOptions second_options;
  {
    asio::ip::tcp::acceptor keep(service.context, {asio::ip::address_v4::loopback(), 0});
    second_options.listen = keep.local_endpoint();
  }
  std::unique_ptr<Server> second;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    const std::vector<ServerUrl> servers{service.url(), {"127.0.0.1", std::to_string(second_options.listen.port())}};
    const auto key = generate_signing_key();
    Client writer(executor, service.url());
    for (int i = 0; i < 10; ++i)
      co_await put_ok(writer, signed_record(key, name_of(i), 1, address_of(i, 1)));
    constexpr int kConnections = 20;
    std::vector<std::shared_ptr<NameLocator>> locators;
    int moves = 0, resolved = 0;
    auto resolve_and_follow = [&](int i) -> asio::awaitable<void> {
      const auto where = co_await locators[i]->resolve();
      REQUIRE(where.has_value());
      locators[i]->follow([&](const NameLocator::Endpoints&) { ++moves; });
      ++resolved;
    };
    for (int i = 0; i < kConnections; ++i)
      locators.push_back(std::make_shared<NameLocator>(executor, servers, name_of(i), ""));
    for (int i = 0; i < kConnections; ++i) asio::co_spawn(executor, resolve_and_follow(i), asio::detached);
    co_await eventually([&] { return resolved == kConnections && service.server->watch_count() == 1; });
    service.server->stop();
    second = std::move(Server::start(executor, *service.registry, second_options).value());
    co_await eventually([&] { return second->watch_count() == 1; });
    // The peers move, as the second front end learns: every follower hears
    // of its peer's move, and lookups go there too.
    Client second_writer(executor, servers[1]);
    for (int i = 0; i < 10; ++i)
      co_await put_ok(second_writer, signed_record(key, name_of(i), 2, address_of(i, 2)));
    co_await eventually([&] { return moves == kConnections; });
    const auto where = co_await locators[0]->resolve();
    REQUIRE(where.has_value());
    CHECK(where->front().address().to_string() == "10.0.2.1");
    CHECK(second->accepted_count() <= 3);  // the lookups, the watch, the second writer
    for (auto& locator : locators) locator->stop();
    second->stop();
  }());
}

// The scale of the goal: 10,000 connections by name in one process,
// 1,000 names, against one mnamed. Prints how long the lookups and the
// watch take, and how long a move takes to reach every follower.
TEST_CASE("names: ten thousand connections by name to a thousand names, two connections to mnamed", "[names][slow]") {
  ServerOptions options;
  options.update_rate.per_second = 0;
  Service service(options);
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    const std::vector<ServerUrl> servers{service.url()};
    const auto key = generate_signing_key();
    constexpr int kNames = 1000, kConnections = 10'000;
    const auto peer = [](int i) { return "peer" + std::to_string(i % kNames) + ".example"; };
    auto session = shared_session(executor, servers);
    for (int i = 0; i < kNames; ++i) co_await put_ok(session->client, signed_record(key, peer(i), 1, "10.0.1.1:7000"));
    const auto accepted_before = service.server->accepted_count();
    std::vector<std::shared_ptr<NameLocator>> locators;
    int resolved = 0, moves = 0;
    auto resolve_and_follow = [&](int i) -> asio::awaitable<void> {
      const auto where = co_await locators[i]->resolve();
      REQUIRE(where.has_value());
      locators[i]->follow([&](const NameLocator::Endpoints&) { ++moves; });
      ++resolved;
    };
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kConnections; ++i)
      locators.push_back(std::make_shared<NameLocator>(executor, servers, peer(i), ""));
    for (int i = 0; i < kConnections; ++i) asio::co_spawn(executor, resolve_and_follow(i), asio::detached);
    asio::steady_timer poll(executor);
    while (resolved < kConnections || service.server->watch_count() != 1) {
      poll.expires_after(10ms);
      co_await poll.async_wait(asio::use_awaitable);
    }
    const auto followed = std::chrono::steady_clock::now();
    for (int i = 0; i < kNames; ++i) co_await put_ok(session->client, signed_record(key, peer(i), 2, "10.0.2.1:7000"));
    while (moves < kConnections) {
      poll.expires_after(10ms);
      co_await poll.async_wait(asio::use_awaitable);
    }
    const auto moved = std::chrono::steady_clock::now();
    const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    WARN(kConnections << " locators: looked up and watched in " << ms(followed - start) << " ms; " << kNames
                      << " moves reached all in " << ms(moved - followed) << " ms; connections accepted: "
                      << service.server->accepted_count() - accepted_before);
    CHECK(service.server->accepted_count() - accepted_before <= 1);  // the watch (lookups share the writer's)
    for (auto& locator : locators) locator->stop();
  }());
}
