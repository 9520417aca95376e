// The name service on loopback: the client's lookup, put and erase against
// the server, and the server's answer to every kind of bad request (status
// code, JSON error, record left as it was, service still up).
#include <boost/json.hpp>

#include "names_fixture.hpp"

using namespace names_test;
namespace json = boost::json;

namespace {

std::string error_of(const RawAnswer& answer) {
  const auto value = json::parse(answer.body);
  return std::string(value.at("error").as_string());
}

std::string body_of(const Record& r) { return json::serialize(to_json(r)); }

}  // namespace

TEST_CASE("names: publish, lookup and delete through the client", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    Client client(co_await asio::this_coro::executor, service.url());
    const auto key = generate_signing_key();

    auto missing = co_await client.lookup("phone.example");
    CHECK(missing.error() == name_error::not_found);

    const Registration registration1{"phone.example", {"10.0.0.1:7000", "[::1]:7001"}, "10.0.0.1:7002"};
    auto stored = co_await publish(client, key, registration1);
    REQUIRE(stored.has_value());
    CHECK(stored->owner == key.public_key);
    auto found = co_await client.lookup("phone.example");
    REQUIRE(found.has_value());
    CHECK(*found == *stored);
    CHECK(found->addresses == std::vector<std::string>{"10.0.0.1:7000", "[::1]:7001"});
    CHECK(found->control == "10.0.0.1:7002");

    const Registration registration2{"phone.example", {"10.0.0.9:7000"}, {}};
    auto again = co_await publish(client, key, registration2);
    REQUIRE(again.has_value());
    CHECK(again->version > stored->version);
    // (g++ 12 cannot compile a co_await and a braced list of string literals in one expression.)
    const auto updated = co_await client.lookup("phone.example");
    CHECK(updated->addresses == std::vector<std::string>{"10.0.0.9:7000"});

    const auto first_delete = co_await unpublish(client, key, "phone.example");
    CHECK_FALSE(first_delete);
    const auto after_delete = co_await client.lookup("phone.example");
    CHECK(after_delete.error() == name_error::not_found);
    const auto second_delete = co_await unpublish(client, key, "phone.example");
    CHECK(second_delete == name_error::not_found);
    const auto bad_name = co_await client.lookup("bad name");
    CHECK(bad_name.error() == name_error::invalid_name);
  }());
}

TEST_CASE("names: refused updates get their status code and leave the record unchanged", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto port = service.port();
    Client client(co_await asio::this_coro::executor, service.url());
    const auto owner = generate_signing_key(), stranger = generate_signing_key();
    const auto original = signed_record(owner, "phone.example", 100);
    const auto put_original = co_await client.put(original);
    REQUIRE(put_original.has_value());

    // Not JSON, JSON but not a record, a record for another URL.
    auto answer = co_await raw_request(port, http::verb::put, "/v1/names/phone.example", "{\"name\": ");
    CHECK(answer.status == 400);
    CHECK(error_of(answer).find("not JSON") != std::string::npos);
    answer = co_await raw_request(port, http::verb::put, "/v1/names/phone.example", "[1, 2, 3]");
    CHECK(answer.status == 400);
    answer = co_await raw_request(port, http::verb::put, "/v1/names/other.example", body_of(original));
    CHECK(answer.status == 400);

    // Past the 16 KiB limit.
    answer = co_await raw_request(port, http::verb::put, "/v1/names/phone.example", std::string(256 * 1024, ' '));
    CHECK(answer.status == 413);

    // Signed, then altered.
    auto forged = signed_record(owner, "phone.example", 101);
    forged.addresses = {"10.6.6.6:7000"};
    answer = co_await raw_request(port, http::verb::put, "/v1/names/phone.example", body_of(forged));
    CHECK(answer.status == 403);
    CHECK(error_of(answer) == describe(Verdict::bad_signature));
    const auto put_forged = co_await client.put(forged);
    CHECK(put_forged.error() == name_error::bad_signature);

    // Well signed, by the wrong key.
    const auto hijack = signed_record(stranger, "phone.example", 200, "10.6.6.6:7000");
    answer = co_await raw_request(port, http::verb::put, "/v1/names/phone.example", body_of(hijack));
    CHECK(answer.status == 403);
    CHECK(error_of(answer) == describe(Verdict::wrong_owner));
    const auto put_hijack = co_await client.put(hijack);
    CHECK(put_hijack.error() == name_error::wrong_owner);
    const auto erase_hijack = co_await client.erase(hijack);
    CHECK(erase_hijack == name_error::wrong_owner);

    // Not newer; already expired.
    answer = co_await raw_request(port, http::verb::put, "/v1/names/phone.example",
                                  body_of(signed_record(owner, "phone.example", 100)));
    CHECK(answer.status == 409);
    const auto put_stale = co_await client.put(signed_record(owner, "phone.example", 99));
    CHECK(put_stale.error() == name_error::stale_version);
    auto old = signed_record(owner, "phone.example", 300);
    old.expires = unix_now() - 1;
    sign(old, owner);
    answer = co_await raw_request(port, http::verb::put, "/v1/names/phone.example", body_of(old));
    CHECK(answer.status == 422);
    const auto put_expired = co_await client.put(old);
    CHECK(put_expired.error() == name_error::expired);

    auto unchanged = co_await client.lookup("phone.example");
    REQUIRE(unchanged.has_value());
    CHECK(*unchanged == original);
  }());
}

TEST_CASE("names: unknown names, endpoints and methods, and garbage", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto port = service.port();
    auto answer = co_await raw_request(port, http::verb::get, "/v1/names/nobody.example");
    CHECK(answer.status == 404);
    CHECK(error_of(answer) == "no such name");
    const auto key = generate_signing_key();
    answer = co_await raw_request(port, http::verb::delete_, "/v1/names/nobody.example",
                                  body_of(signed_record(key, "nobody.example", 1)));
    CHECK(answer.status == 404);
    answer = co_await raw_request(port, http::verb::get, "/v1/names/bad%20name");
    CHECK(answer.status == 400);
    answer = co_await raw_request(port, http::verb::get, "/v1/names/");
    CHECK(answer.status == 400);
    answer = co_await raw_request(port, http::verb::get, "/v2/names/a");
    CHECK(answer.status == 404);
    answer = co_await raw_request(port, http::verb::get, "/");
    CHECK(answer.status == 404);
    answer = co_await raw_request(port, http::verb::post, "/v1/names/a");
    CHECK(answer.status == 405);
    answer = co_await raw_request(port, http::verb::put, "/v1/watch/a");
    CHECK(answer.status == 405);
    answer = co_await raw_request(port, http::verb::get, "/v1/watch/a?after=x");
    CHECK(answer.status == 400);
    answer = co_await raw_request(port, http::verb::get, "/v1/watch/a?after=-1");
    CHECK(answer.status == 400);

    const auto garbage = co_await raw_bytes(port, "GARBAGE\r\n\r\n");
    CHECK(garbage.starts_with("HTTP/1.1 400 "));
    const auto binary = co_await raw_bytes(port, std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
    CHECK(binary.starts_with("HTTP/1.1 400 "));
    const auto huge_header = co_await raw_bytes(port, "GET /v1/names/a HTTP/1.1\r\nX: " + std::string(20000, 'x') + "\r\n\r\n");
    CHECK(huge_header.starts_with("HTTP/1.1 431 "));

    // After all that, the service answers as before.
    Client client(co_await asio::this_coro::executor, service.url());
    const auto put_a = co_await client.put(signed_record(key, "a", 1));
    REQUIRE(put_a.has_value());
    const auto lookup_a = co_await client.lookup("a");
    CHECK(lookup_a->version == 1);
  }());
}

TEST_CASE("names: curl's Expect: 100-continue gets its interim answer", "[names]") {
  Service service;
  service.run([&]() -> asio::awaitable<void> {
    const auto key = generate_signing_key();
    const auto body = body_of(signed_record(key, "a", 1));
    beast::tcp_stream stream(co_await asio::this_coro::executor);
    stream.expires_after(10s);
    co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), service.port()),
                                  asio::use_awaitable);
    const std::string head = "PUT /v1/names/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n\r\n";
    co_await asio::async_write(stream, asio::buffer(head), asio::use_awaitable);
    std::string interim;
    co_await asio::async_read_until(stream, asio::dynamic_buffer(interim), "\r\n\r\n", asio::use_awaitable);
    CHECK(interim.starts_with("HTTP/1.1 100 Continue\r\n"));
    co_await asio::async_write(stream, asio::buffer(body), asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(stream, buffer, response, asio::use_awaitable);
    CHECK(response.result_int() == 200);
  }());
}

TEST_CASE("names: an accepted record survives a restart of the store", "[names]") {
  const auto key = generate_signing_key();
  fs::path dir;
  Record stored;
  {
    Service service;
    dir = service.dir.string() + "-kept";
    service.run([&]() -> asio::awaitable<void> {
      Client client(co_await asio::this_coro::executor, service.url());
      const Registration registration3{"kept.example", {"10.0.0.1:1"}, {}};
      auto r = co_await publish(client, key, registration3);
      REQUIRE(r.has_value());
      stored = *r;
    }());
    fs::copy(service.dir, dir);  // what was on disk when the answer came
  }
  auto store = LogStore::open(dir);
  REQUIRE(store.has_value());
  REQUIRE((*store)->get("kept.example").has_value());
  CHECK((*store)->get("kept.example")->record == stored);
  fs::remove_all(dir);
}
