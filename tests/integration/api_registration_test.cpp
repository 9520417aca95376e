// msocket::name_registration against an in-process name service: a listener
// registered under its name can be looked up there; another key cannot take
// the name; a bad service URL and a bad key file are refused before anything
// is sent.
#include <fstream>

#include "msocket/registration.hpp"
#include "names/key_file.hpp"
#include "names_fixture.hpp"

using namespace names_test;

namespace {

// A key file as `mnamed keygen` writes it, removed with the service's directory.
std::string key_file(const Service& service, const std::string& file) {
  const auto path = service.dir / file;
  REQUIRE_FALSE(save_key_file(path, generate_signing_key()));
  return path.string();
}

std::string url_of(const Service& service) { return "http://127.0.0.1:" + std::to_string(service.port()); }

// Registers srv.example at 127.0.0.1:7000 with `key` in the service at `url`.
asio::awaitable<std::tuple<boost::system::error_code, msocket::name_registration>> register_srv(
    std::string url, msocket::name_key key) {
  const asio::ip::tcp::endpoint listening(asio::ip::make_address("127.0.0.1"), 7000);
  auto ex = co_await asio::this_coro::executor;
  auto registering = msocket::name_registration::async_register(ex, std::move(url), std::move(key), "srv.example",
                                                                listening, asio::as_tuple(asio::use_awaitable));
  co_return co_await std::move(registering);
}

}  // namespace

TEST_CASE("name_registration: publishes the listener's address, another key may not take the name", "[names]") {
  Service service;
  const auto owner = msocket::name_key::load(key_file(service, "owner.key"));
  REQUIRE(owner.has_value());
  const auto thief = msocket::name_key::load(key_file(service, "thief.key"));
  REQUIRE(thief.has_value());
  service.run([&]() -> asio::awaitable<void> {
    auto [ec, registration] = co_await register_srv(url_of(service), *owner);
    CHECK_FALSE(ec);
    CHECK(registration.published() == std::vector<std::string>{"127.0.0.1:7000"});
    Client client(co_await asio::this_coro::executor, service.url());
    const auto found = co_await client.lookup("srv.example");
    REQUIRE(found.has_value());
    CHECK(found->addresses == std::vector<std::string>{"127.0.0.1:7000"});

    auto [taken, nothing] = co_await register_srv(url_of(service), *thief);
    CHECK(taken == name_error::wrong_owner);
    CHECK(nothing.published().empty());
    registration.stop();
  }());
}

TEST_CASE("name_registration: a bad service URL or key file is refused", "[names]") {
  Service service;
  const auto key = msocket::name_key::load(key_file(service, "owner.key"));
  REQUIRE(key.has_value());
  service.run([&]() -> asio::awaitable<void> {
    auto [ec, registration] = co_await register_srv("ftp://127.0.0.1", *key);
    CHECK(ec == name_error::bad_url);
    CHECK(registration.published().empty());
  }());

  CHECK(msocket::name_key::load((service.dir / "absent.key").string()).error() ==
        boost::system::errc::no_such_file_or_directory);
  const auto garbage = service.dir / "garbage.key";
  std::ofstream(garbage) << "not a key\n";
  fs::permissions(garbage, fs::perms::owner_read | fs::perms::owner_write);
  CHECK(msocket::name_key::load(garbage.string()).error() == name_error::bad_key_file);
}
