// The watch of many names (POST /v1/watch/) and the Watcher that holds one
// for a whole process: the server answers with every record above its
// version and every name gone, holds until one changes, and ends a held
// watch when the next request comes on its connection; the Watcher hands
// each name's change to its subscribers and moves to the next front end
// when its own dies holding the watch.

#include <boost/json.hpp>

#include "names/watcher.hpp"
#include "names_fixture.hpp"

using namespace names_test;
using Kind = WatchEvent::Kind;

namespace {

namespace json = boost::json;

// A POST /v1/watch/ body: {"names": {NAME: VERSION, ...}}.
std::string watch_body(const std::vector<std::pair<std::string, std::uint64_t>>& names) {
  json::object asked;
  for (const auto& [name, version] : names) asked[name] = version;
  return json::serialize(json::object{{"names", std::move(asked)}});
}

// The names of the records and of the names deleted in a 200 answer.
std::pair<std::vector<std::string>, std::vector<std::string>> answered_names(const std::string& body) {
  const auto value = json::parse(body);
  std::pair<std::vector<std::string>, std::vector<std::string>> names;
  for (const auto& record : value.at("records").as_array())
    names.first.emplace_back(record.at("name").as_string());
  for (const auto& name : value.at("deleted").as_array()) names.second.emplace_back(name.as_string());
  return names;
}



}  // namespace

TEST_CASE("names: a watch of many names answers what is newer and what is gone, at once", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client client(executor, service.url());
    const auto key = generate_signing_key();
    co_await put_ok(client, signed_record(key, "a.example", 5));
    co_await put_ok(client, signed_record(key, "b.example", 7));
    // a is newer than asked, b is not, c is gone since version 3.
    const auto body = watch_body({{"a.example", 4}, {"b.example", 7}, {"c.example", 3}});
    const auto answer = co_await raw_request(service.port(), http::verb::post, "/v1/watch/?wait=5", body);
    REQUIRE(answer.status == 200);
    const auto [records, deleted] = answered_names(answer.body);
    CHECK(records == std::vector<std::string>{"a.example"});
    CHECK(deleted == std::vector<std::string>{"c.example"});

    const auto quiet_body = watch_body({{"a.example", 5}, {"b.example", 7}, {"c.example", 0}});
    const auto start = std::chrono::steady_clock::now();
    const auto quiet = co_await raw_request(service.port(), http::verb::post, "/v1/watch/?wait=1", quiet_body);
    CHECK(quiet.status == 204);
    CHECK(std::chrono::steady_clock::now() - start >= 900ms);
  }());
}

TEST_CASE("names: a held watch of many names wakes for the one that changes, and holds one slot", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client writer(executor, service.url());
    const auto key = generate_signing_key();
    std::vector<std::pair<std::string, std::uint64_t>> asked;
    for (int i = 0; i < 30; ++i) {
      const auto name = "n" + std::to_string(i) + ".example";
      co_await put_ok(writer, signed_record(key, name, 1));
      asked.emplace_back(name, 1);
    }
    RawAnswer answer;
    bool answered = false;
    auto hold = [&]() -> asio::awaitable<void> {
      answer = co_await raw_request(service.port(), http::verb::post, "/v1/watch/?wait=10", watch_body(asked));
      answered = true;
    };
    asio::co_spawn(executor, hold(), asio::detached);
    co_await eventually([&] { return service.server->watch_count() == 1; });
    CHECK_FALSE(answered);
    co_await put_ok(writer, signed_record(key, "n17.example", 2));
    co_await eventually([&] { return answered; });
    REQUIRE(answer.status == 200);
    CHECK(answered_names(answer.body).first == std::vector<std::string>{"n17.example"});
    CHECK(service.server->watch_count() == 0);
  }());
}

TEST_CASE("names: a watch of many names refuses bad bodies and other methods", "[names]") {
  ServerOptions options;
  options.max_watched_names = 3;
  Service service(options);
  service.run([&]() -> asio::awaitable<void> {
    const auto port = service.port();
    const auto post = http::verb::post;
    co_await expect_status(400, port, post, "/v1/watch/", "not json");
    co_await expect_status(400, port, post, "/v1/watch/", R"({"names": {}})");
    co_await expect_status(400, port, post, "/v1/watch/", R"({"names": {"bad name": 0}})");
    co_await expect_status(400, port, post, "/v1/watch/", R"({"names": {"a.example": -1}})");
    const auto too_many = watch_body({{"a.example", 0}, {"b.example", 0}, {"c.example", 0}, {"d.example", 0}});
    co_await expect_status(400, port, post, "/v1/watch/", too_many);
    co_await expect_status(405, port, http::verb::get, "/v1/watch/");
    // A body over the watch's limit (1 MiB), and one over 16 KiB elsewhere.
    co_await expect_status(413, port, post, "/v1/watch/", std::string(2 << 20, ' '));
    co_await expect_status(413, port, http::verb::put, "/v1/names/a.example", std::string(20000, ' '));
  }());
}

TEST_CASE("names: a held watch ends at once when the next request comes on its connection", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    // A watch that would hold 10 s, with a lookup pipelined behind it.
    const auto body = watch_body({{"a.example", 0}});
    const std::string bytes = "POST /v1/watch/?wait=10 HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body +
                              "GET /v1/names/a.example HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const auto start = std::chrono::steady_clock::now();
    const auto answers = co_await raw_bytes(service.port(), bytes);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    const auto second = answers.find("HTTP/1.1 404");
    CHECK(answers.starts_with("HTTP/1.1 204"));
    CHECK(second != std::string::npos);
  }());
}

TEST_CASE("names: one Watcher hands each name's changes to its subscribers, on one connection", "[names]") {
  ServerOptions options;
  options.update_rate.per_second = 0;  // no limit: 43 updates with one key, at once
  Service service(options);
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    Client writer(executor, service.url());
    const auto key = generate_signing_key();
    co_await put_ok(writer, signed_record(key, "n0.example", 1));
    const auto accepted_before = service.server->accepted_count();
    auto watcher = std::make_shared<Watcher>(executor, std::vector<ServerUrl>{service.url()});
    constexpr int kNames = 40;
    std::vector<std::vector<WatchEvent>> events(kNames);
    std::vector<WatchId> ids;
    for (int i = 0; i < kNames; ++i) {
      ids.push_back(watcher->add("n" + std::to_string(i) + ".example", i == 0 ? 1 : 0,
                                 [&events, i](const WatchEvent& event) { events[i].push_back(event); }));
      // Added while the watch is held, too: the Watcher asks again on its connection.
      if (i == kNames / 2) co_await eventually([&] { return service.server->watch_count() == 1; });
    }
    // Two subscribers of one name each get its change.
    std::vector<WatchEvent> second_of_n5;
    ids.push_back(watcher->add("n5.example", 0, [&](const WatchEvent& event) { second_of_n5.push_back(event); }));
    for (int i = 0; i < kNames; ++i)
      co_await put_ok(writer, signed_record(key, "n" + std::to_string(i) + ".example", 2));
    co_await eventually([&] {
      return std::all_of(events.begin(), events.end(), [](const auto& got) { return got.size() == 1; });
    });
    for (const auto& got : events) {
      CHECK(got.front().kind == Kind::changed);
      CHECK(got.front().record->version == 2);
    }
    co_await eventually([&] { return second_of_n5.size() == 1; });
    // A subscriber removed hears nothing more; a deletion reaches the others.
    watcher->remove(ids[1]);
    const auto erased1 = co_await unpublish(writer, key, "n1.example");
    REQUIRE_FALSE(erased1);
    const auto erased2 = co_await unpublish(writer, key, "n2.example");
    REQUIRE_FALSE(erased2);
    co_await eventually([&] { return events[2].size() == 2; });
    CHECK(events[2].back().kind == Kind::deleted);
    CHECK(events[1].size() == 1);
    CHECK(service.server->accepted_count() - accepted_before == 1);
    for (const auto id : ids) watcher->remove(id);
    co_await eventually([&] { return service.server->watch_count() == 0; });
  }());
}

TEST_CASE("names: a Watcher whose front end dies holding the watch goes on through the next", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto executor = co_await asio::this_coro::executor;
    DyingFrontEnd dying(executor);

    Client writer(executor, service.url());
    const auto key = generate_signing_key();
    for (int i = 0; i < 10; ++i)
      co_await put_ok(writer, signed_record(key, "m" + std::to_string(i) + ".example", 1));
    auto watcher = std::make_shared<Watcher>(executor, std::vector<ServerUrl>{dying.url(), dead_server(), service.url()});
    int changes = 0;
    std::vector<WatchId> ids;
    for (int i = 0; i < 10; ++i)
      ids.push_back(watcher->add("m" + std::to_string(i) + ".example", 1, [&](const WatchEvent& event) {
        if (event.kind == Kind::changed) ++changes;
      }));
    co_await eventually([&] { return dying.dropped() && service.server->watch_count() == 1; });
    CHECK(watcher->current_server() == 2);
    for (int i = 0; i < 10; ++i)
      co_await put_ok(writer, signed_record(key, "m" + std::to_string(i) + ".example", 2));
    co_await eventually([&] { return changes == 10; });
    // The last subscriber gone, the held watch ends at both ends at once.
    for (const auto id : ids) watcher->remove(id);
    co_await eventually([&] { return service.server->watch_count() == 0; });
  }());
}

TEST_CASE("names: a client that half-closes after its watch still gets the answer", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(10s);
    co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), service.port()),
                                  asio::use_awaitable);
    const std::string request = "GET /v1/watch/a.example?after=0&wait=1 HTTP/1.1\r\nHost: x\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(request), asio::use_awaitable);
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(stream, buffer, response, asio::use_awaitable);
    CHECK(response.result_int() == 204);
  }());
}
