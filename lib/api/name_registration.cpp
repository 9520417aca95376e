#include "api/name_registration.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "session/types.hpp"
#include "paths/shared_address_watcher.hpp"
#include "paths/local_addresses.hpp"
#include "transport/handshake.hpp"

namespace msocket::api {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using error_code = boost::system::error_code;

namespace {
// Addresses come and go in bursts (a move is a delete and an add): publish
// once the burst is over, a moment later.
constexpr auto kSettle = 20ms;
constexpr auto kFirstRetry = 250ms;
constexpr auto kLongestRetry = 5s;

bool mendable(const error_code& ec) {
  return ec != names::name_error::wrong_owner && ec != names::name_error::invalid_name &&
         ec != names::name_error::bad_signature;
}
}  // namespace

NameRegistration::NameRegistration(asio::any_io_executor ex, std::vector<names::ServerUrl> server, names::SigningKey key,
                                   std::string name, asio::ip::tcp::endpoint listening, std::chrono::seconds ttl)
    : ex_(ex),
      client_(ex, std::move(server)),
      key_(key),
      name_(std::move(name)),
      listening_(listening),
      ttl_(ttl),
      wake_(ex) {}

NameRegistration::~NameRegistration() = default;

std::vector<std::string> NameRegistration::current_addresses() const {
  if (supplier_) return supplier_();
  const auto port = listening_.port();
  const auto text = [port](const asio::ip::address& a) {
    return transport::to_string(asio::ip::tcp::endpoint(a, port));
  };
  if (!listening_.address().is_unspecified()) return {text(listening_.address())};
  // A wildcard listener is reachable on every address of its family, and
  // "::" (which hears IPv4 too) on every address, so that a client may look
  // it up from a network of either family; loopback only if there is
  // nothing else (a host with no network).
  const bool ipv4_only = listening_.address().is_v4();
  std::vector<std::string> out, loopback;
  for (const auto& local : paths::list_local_addresses()) {
    const auto& a = local.address;
    if (ipv4_only && !a.is_v4()) continue;
    if (a.is_v6() && (a.to_v6().is_link_local() || a.to_v6().is_v4_mapped())) continue;
    (a.is_loopback() ? loopback : out).push_back(text(a));
    if (out.size() >= names::kMaxAddresses) break;
  }
  if (out.empty() && !loopback.empty()) out.push_back(loopback.front());
  return out;
}

asio::awaitable<error_code> NameRegistration::publish_now() {
  names::Registration registration;
  registration.name = name_;
  registration.addresses = current_addresses();
  registration.ttl = ttl_;
  if (registration.addresses.empty()) co_return error_code(EADDRNOTAVAIL, boost::system::system_category());
  auto stored = co_await names::publish(client_, key_, registration);
  if (!stored) co_return stored.error();
  published_ = stored->addresses;
  std::string list;
  for (const auto& a : published_) list += (list.empty() ? "" : " ") + a;
  log::names()->info("registered {} at {} (version {})", name_, list, stored->version);
  co_return error_code{};
}

asio::awaitable<error_code> NameRegistration::start() {
  auto self = shared_from_this();
  if (listening_.address().is_unspecified() && !supplier_) {
    std::weak_ptr<NameRegistration> weak = self;
    watch_ = paths::SharedAddressWatcher::of(ex_).subscribe(ex_, [weak](const paths::AddressEvent&, const auto&) {
      if (auto me = weak.lock()) {
        me->dirty_ = true;
        me->wake_.expires_after(kSettle);
        // A connection to the service from an address we no longer have
        // would hang until its timeout: start afresh.
        me->client_.cancel();
      }
    });
    if (!watch_) log::names()->warn("cannot follow local addresses: {} is registered once", name_);
  }
  auto ec = co_await publish_now();
  if (ec && !mendable(ec)) co_return ec;
  if (ec) {
    log::names()->warn("cannot register {} yet: {}; retrying", name_, ec.message());
    dirty_ = true;  // run() starts with a retry
  }
  asio::co_spawn(ex_, run(), LogCoroutineFailure(log::names(), "keeping a name registered"));
  co_return error_code{};
}

void NameRegistration::addresses_changed() {
  if (stopped_) return;
  dirty_ = true;
  wake_.expires_after(kSettle);
  client_.cancel();
}

void NameRegistration::stop() {
  stopped_ = true;
  watch_.reset();
  wake_.cancel();
  client_.cancel();
}

asio::awaitable<void> NameRegistration::run() {
  auto self = shared_from_this();
  Duration retry = kFirstRetry;
  bool failing = dirty_;
  while (!stopped_) {
    // Publish again at half the TTL, after a failure, or a moment after the
    // addresses change (the watcher re-arms wake_, which ends this wait early:
    // then wait for the new expiry).
    if (!dirty_ || failing) wake_.expires_after(failing ? retry : Duration(ttl_) / 2);
    for (;;) {
      auto [ec] = co_await wake_.async_wait(use_tuple);
      if (stopped_ || !ec) break;
    }
    if (stopped_) break;
    dirty_ = false;
    auto failed = co_await publish_now();
    if (stopped_) break;
    // Cut short by an address change: publish the new addresses, no backoff.
    if (failed && dirty_) failed = {};
    failing = static_cast<bool>(failed);
    if (!failed) {
      retry = kFirstRetry;
      continue;
    }
    log::names()->warn("cannot register {}: {}; retrying", name_, failed.message());
    if (!mendable(failed)) break;
    retry = std::min<Duration>(retry * 2, kLongestRetry);
  }
}

}  // namespace msocket::api
