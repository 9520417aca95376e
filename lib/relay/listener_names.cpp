#include "listener_names.hpp"

#include <cstdio>

#include <boost/asio/this_coro.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "names/name_error.hpp"
#include "proxy/proxy_error.hpp"

namespace msocket::relay {

using error_code = boost::system::error_code;
using tcp = asio::ip::tcp;

void say(const std::string& message) { std::fprintf(stderr, "mcat: %s\n", message.c_str()); }

int relay_refusal_status(const error_code& ec) {
  if (ec == proxy::proxy_error::not_owner) return kExitUsage;
  if (ec == proxy::proxy_error::relay_full) return kExitRelayFull;
  if (ec == proxy::proxy_error::limited) return kExitRelayLimited;
  if (ec == proxy::proxy_error::draining) return kExitRelayDraining;
  return kExitNetwork;
}

asio::awaitable<result<relay_reservations>> reserve_on_relays(const NetcatOptions& o, acceptor& acc, const name_key& key) {
  error_code ec;
  relay_reservations reservations;
  if (o.proxy_pool) {
    std::tie(ec, reservations) = co_await relay_reservations::async_reserve_from_pool(
        acc, key, *o.register_name, o.connection.name_service.str(), o.proxy_count, use_tuple);
  } else {
    std::tie(ec, reservations) =
        co_await relay_reservations::async_reserve(acc, key, *o.register_name, o.proxies, o.proxy_count, use_tuple);
  }
  if (ec) {
    const auto where = o.proxy_pool ? "any relay of the pool at " + o.connection.name_service.str()
                       : o.proxies.size() == 1 ? "relay " + o.proxies.front()
                                               : std::string("any relay");
    say("cannot reserve " + *o.register_name + " on " + where + ": " +
        (o.proxy_pool && ec == names::name_error::not_found ? std::string("the pool holds no relay") : ec.message()));
    co_return ec;
  }
  std::string list;
  for (const auto& a : reservations.addresses()) list += (list.empty() ? "" : " ") + a;
  log::tool()->info("reached through relays at {}", list);
  co_return std::move(reservations);
}

asio::awaitable<result<name_registration>> register_listener(const NetcatOptions& o, name_key key,
                                                             tcp::endpoint listening, const relay_reservations* relays) {
  auto ex = co_await asio::this_coro::executor;
  error_code ec;
  name_registration registration;
  if (relays)
    std::tie(ec, registration) = co_await name_registration::async_register(
        ex, o.connection.name_service.str(), std::move(key), *o.register_name, *relays, use_tuple);
  else
    std::tie(ec, registration) = co_await name_registration::async_register(
        ex, o.connection.name_service.str(), std::move(key), *o.register_name, listening, use_tuple);
  if (ec) {
    say("cannot register " + *o.register_name + ": " + ec.message());
    co_return errc::refused;
  }
  co_return std::move(registration);
}

}  // namespace msocket::relay
