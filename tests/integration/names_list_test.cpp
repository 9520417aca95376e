// Listing names by prefix (GET /v1/names/?prefix=P&limit=N, Client::list):
// against the real server, what is listed and what is refused; against a
// stand-in server, what the client leaves out of an answer and what it
// refuses outright.
#include <limits>

#include <boost/json.hpp>

#include "names_fixture.hpp"

using namespace names_test;
namespace json = boost::json;

namespace {

std::vector<std::string> names_in(const std::vector<Record>& records) {
  std::vector<std::string> names;
  for (const auto& r : records) names.push_back(r.name);
  return names;
}

using NameList = std::vector<std::string>;

// The "error" of a refusal, or "" if there is none.
std::string refusal_text(const RawAnswer& answer) {
  boost::system::error_code ec;
  const auto value = json::parse(answer.body, ec);
  const auto* why = ec || !value.is_object() ? nullptr : value.as_object().if_contains("error");
  return why && why->is_string() ? std::string(why->as_string()) : std::string();
}

// The records of a 200 answer to a listing, as the server sent them.
std::vector<Record> records_in(const RawAnswer& answer) {
  const auto value = json::parse(answer.body);
  std::vector<Record> records;
  for (const auto& entry : value.at("records").as_array()) records.push_back(from_json(entry).value());
  return records;
}

// A record of the longest name and the longest addresses there are, the
// largest a listing can hold: 253 characters (`stem` and 3 digits), 16
// addresses and a control address of 64 characters each.
Record largest_record(const SigningKey& key, const std::string& stem, int number) {
  const std::string address = "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%4294967295]:65535";
  Record r;
  r.name = stem + std::to_string(1000 + number).substr(1);
  r.addresses.assign(kMaxAddresses, address);
  r.control = address;
  r.version = std::numeric_limits<std::uint64_t>::max();
  r.expires = unix_now() + 3600;
  sign(r, key);
  return r;
}

// A stand-in for mnamed that answers every request 200 with `body` and
// closes the connection: for answers the real server never gives.
class CannedServer {
 public:
  explicit CannedServer(asio::any_io_executor executor)
      : acceptor_(executor, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}
  ServerUrl url() const { return {"127.0.0.1", std::to_string(acceptor_.local_endpoint().port())}; }
  void stop() { acceptor_.close(); }

  asio::awaitable<void> serve() {
    for (;;) {
      auto [accept_error, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (accept_error) co_return;  // stop()
      beast::tcp_stream stream(std::move(socket));
      stream.expires_after(10s);
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      co_await http::async_read(stream, buffer, request, asio::use_awaitable);
      target = std::string(request.target());
      http::response<http::string_body> response{http::status::ok, 11};
      response.set(http::field::content_type, "application/json");
      response.keep_alive(false);
      response.body() = body;
      response.prepare_payload();
      co_await http::async_write(stream, response, asio::use_awaitable);
    }
  }

  std::string body;    // what every answer carries
  std::string target;  // of the last request

 private:
  asio::ip::tcp::acceptor acceptor_;
};

}  // namespace

TEST_CASE("names: list gives the live records under a prefix, the forged ones left out", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    Client client(co_await asio::this_coro::executor, service.url());
    const auto key = generate_signing_key();
    std::vector<Record> stored;
    for (const char* name : {"mproxy.b", "other", "mproxy.a", "mproxyx"}) {
      auto put = co_await client.put(signed_record(key, name, 1));
      REQUIRE(put.has_value());
      stored.push_back(*put);
    }

    auto listed = co_await client.list("mproxy.");
    REQUIRE(listed.has_value());
    CHECK(names_in(*listed) == NameList{"mproxy.a", "mproxy.b"});
    CHECK(listed->at(0) == stored[2]);
    CHECK(listed->at(1) == stored[0]);
    listed = co_await client.list("mproxy.", 1);
    REQUIRE(listed.has_value());
    CHECK(names_in(*listed) == NameList{"mproxy.a"});
    listed = co_await client.list("mproxy");
    CHECK(names_in(listed.value()) == NameList{"mproxy.a", "mproxy.b", "mproxyx"});
    listed = co_await client.list("nobody.");
    CHECK(listed.value().empty());
    listed = co_await client.list("mproxy.", 0);
    CHECK(listed.value().empty());

    // A prefix that is not name characters is refused before it is sent.
    listed = co_await client.list("bad prefix");
    CHECK(listed.error() == name_error::invalid_name);
    listed = co_await client.list("");
    CHECK(listed.error() == name_error::invalid_name);
    listed = co_await client.list(std::string(254, 'a'));
    CHECK(listed.error() == name_error::invalid_name);

    // A record the server holds but its owner never signed so (written to
    // the store behind the server's back, as a damaged or hostile server
    // would serve it): the server lists it, the client leaves it out.
    auto forged = signed_record(key, "mproxy.c", 1);
    forged.addresses = {"10.6.6.6:7000"};
    auto writing = service.store->write(StoredName{forged, false});
    const auto write_error = co_await std::move(writing);
    REQUIRE_FALSE(write_error);
    const auto raw = co_await raw_request(service.port(), http::verb::get, "/v1/names/?prefix=mproxy.");
    REQUIRE(raw.status == 200);
    CHECK(names_in(records_in(raw)) == NameList{"mproxy.a", "mproxy.b", "mproxy.c"});
    listed = co_await client.list("mproxy.");
    CHECK(names_in(listed.value()) == NameList{"mproxy.a", "mproxy.b"});

    // A deleted name leaves the listing.
    const auto erased = co_await unpublish(client, key, "mproxy.a");
    REQUIRE_FALSE(erased);
    listed = co_await client.list("mproxy.");
    CHECK(names_in(listed.value()) == NameList{"mproxy.b"});
  }());
}

TEST_CASE("names: a listing's query is checked, and other methods keep their answers", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto port = service.port();
    const auto key = generate_signing_key();
    Client client(co_await asio::this_coro::executor, service.url());
    for (const char* name : {"mproxy.a", "mproxy.b"}) {
      const auto put = co_await client.put(signed_record(key, name, 1));
      REQUIRE(put.has_value());
    }
    const auto get = [&](std::string target) { return raw_request(port, http::verb::get, std::move(target)); };

    auto answer = co_await get("/v1/names/?prefix=mproxy.&limit=1");
    CHECK(answer.status == 200);
    CHECK(names_in(records_in(answer)) == NameList{"mproxy.a"});
    // Past 100, and past 64 bits, the limit is 100; unknown parameters are ignored.
    answer = co_await get("/v1/names/?limit=1000&prefix=mproxy.&color=blue");
    CHECK(names_in(records_in(answer)) == NameList{"mproxy.a", "mproxy.b"});
    answer = co_await get("/v1/names/?prefix=mproxy.&limit=123456789012345678901234567890");
    CHECK(names_in(records_in(answer)) == NameList{"mproxy.a", "mproxy.b"});
    answer = co_await get("/v1/names/?prefix=nobody");
    CHECK(answer.status == 200);
    CHECK(json::parse(answer.body) == json::parse(R"({"records":[]})"));

    for (const char* target : {"/v1/names/", "/v1/names/?", "/v1/names/?limit=5", "/v1/names/?Prefix=mproxy."}) {
      INFO(target);
      answer = co_await get(target);
      CHECK(answer.status == 400);
      CHECK(refusal_text(answer).find("a prefix is needed") != std::string::npos);
    }
    for (const char* target : {"/v1/names/?prefix=", "/v1/names/?prefix=bad%20prefix", "/v1/names/?prefix=a/b",
                               "/v1/names/?prefix=mproxy.*"}) {
      INFO(target);
      answer = co_await get(target);
      CHECK(answer.status == 400);
      CHECK(refusal_text(answer).starts_with("invalid prefix"));
    }
    answer = co_await get("/v1/names/?prefix=" + std::string(254, 'm'));
    CHECK(answer.status == 400);
    for (const char* limit : {"0", "-1", "x", "", "1x", "+1", "1.5", "000"}) {
      INFO(limit);
      answer = co_await get(std::string("/v1/names/?prefix=mproxy.&limit=") + limit);
      CHECK(answer.status == 400);
      CHECK(refusal_text(answer).starts_with("limit must be a whole number"));
    }

    // The path with no name is not a name for the other methods.
    answer = co_await raw_request(port, http::verb::put, "/v1/names/?prefix=mproxy.",
                                  json::serialize(to_json(signed_record(key, "mproxy.a", 2))));
    CHECK(answer.status == 400);
    CHECK(refusal_text(answer) == "invalid name");
    answer = co_await raw_request(port, http::verb::post, "/v1/names/?prefix=mproxy.");
    CHECK(answer.status == 405);
    // A lookup ignores a query; a watch has no listing (the watch path
    // with no name takes only the POST of a watch of many names).
    answer = co_await get("/v1/names/mproxy.a?prefix=other");
    CHECK(from_json(json::parse(answer.body)).value().name == "mproxy.a");
    answer = co_await get("/v1/watch/?prefix=mproxy.");
    CHECK(answer.status == 405);
    CHECK(refusal_text(answer) == "method not allowed here");
  }());
}

TEST_CASE("names: a listing gives 100 of the largest records at most, and the client takes them", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto key = generate_signing_key();
    const std::string stem = std::string(249, 'p') + ".";
    // Straight into the store: the update rate limit would slow 105 puts.
    std::vector<Record> written;
    for (int i = 0; i < 105; ++i) {
      written.push_back(largest_record(key, stem, i));
      auto writing = service.store->write(StoredName{written.back(), false});
      const auto ec = co_await std::move(writing);
      REQUIRE_FALSE(ec);
    }
    Client client(co_await asio::this_coro::executor, service.url());
    auto listed = co_await client.list(stem, 1000);
    REQUIRE(listed.has_value());
    REQUIRE(listed->size() == kMaxListedRecords);
    CHECK(*listed == std::vector<Record>(written.begin(), written.begin() + 100));
    listed = co_await client.list(stem);
    CHECK(listed.value().size() == 100);
    listed = co_await client.list(stem, 7);
    CHECK(listed.value().size() == 7);
    const auto raw = co_await raw_request(service.port(), http::verb::get, "/v1/names/?prefix=" + stem);
    INFO("a listing of 100 of the largest records takes " << raw.body.size() << " bytes");
    CHECK(raw.body.size() < 256 * 1024);  // the client's limit on a listing's answer
  }());
}

TEST_CASE("names: the client leaves out records not under the prefix, refuses answers that are not listings",
          "[names]") {
  Service service;  // for its io_context and run()
  CannedServer canned(service.context.get_executor());
  asio::co_spawn(service.context, canned.serve(), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  // The stand-in stops with the test, passed or failed.
  struct StopWhenDone {
    CannedServer& server;
    ~StopWhenDone() { server.stop(); }
  };
  service.run([&]() -> asio::awaitable<void> {
    StopWhenDone stop_when_done{canned};
    Client client(co_await asio::this_coro::executor, canned.url());
    const auto key = generate_signing_key();
    const auto body_with = [](std::vector<Record> records) {
      json::array entries;
      for (const auto& r : records) entries.push_back(to_json(r));
      return json::serialize(json::object{{"records", std::move(entries)}});
    };
    const auto a = signed_record(key, "mproxy.a", 1), b = signed_record(key, "mproxy.b", 1);
    const auto other = signed_record(key, "other", 1), short_name = signed_record(key, "mproxy", 1);

    canned.body = body_with({other, a, short_name, b});
    auto listed = co_await client.list("mproxy.", 50);
    CHECK(canned.target == "/v1/names/?prefix=mproxy.&limit=50");
    REQUIRE(listed.has_value());
    CHECK(*listed == std::vector<Record>{a, b});
    listed = co_await client.list("mproxy.", 1);  // a server that gives more than asked
    CHECK(listed.value() == std::vector<Record>{a});

    // What lookup makes of an answer that is not JSON, list makes of one
    // that is not a listing.
    canned.body = "not JSON";
    const auto looked_up = co_await client.lookup("mproxy.a");
    CHECK(looked_up.error() == name_error::bad_response);
    for (std::string body : {std::string("not JSON"), std::string("[]"), std::string(R"({"records":5})"),
                             std::string(R"({"record":[]})"), std::string(R"({"records":[{"name":"mproxy.a"}]})"),
                             body_with({a}) + "garbage"}) {
      INFO(body);
      canned.body = body;
      listed = co_await client.list("mproxy.");
      CHECK(listed.error() == looked_up.error());
    }
  }());
}
