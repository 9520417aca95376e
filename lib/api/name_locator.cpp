#include "api/name_locator.hpp"

#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "names/known_names.hpp"
#include "session/types.hpp"

namespace msocket::api {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;


std::optional<tcp::endpoint> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const auto digits = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535) return std::nullopt;
  boost::system::error_code bad;
  const auto address = asio::ip::make_address(std::string(host), bad);
  if (bad) return std::nullopt;
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

NameLocator::NameLocator(asio::any_io_executor ex, std::vector<names::ServerUrl> server, std::string name, std::string port,
                         std::filesystem::path known_names)
    : ex_(ex),
      name_(std::move(name)),
      port_(std::move(port)),
      session_(names::shared_session(ex, server)),
      known_names_(std::move(known_names)) {}

NameLocator::~NameLocator() { unsubscribe(); }

void NameLocator::unsubscribe() {
  if (subscription_) session_->watcher->remove(*subscription_);
  subscription_.reset();
}

std::string NameLocator::describe() const { return "name " + name_; }

NameLocator::Endpoints NameLocator::endpoints_of(const names::Record& record) const {
  Endpoints out;
  for (const auto& text : record.addresses) {
    auto endpoint = parse_endpoint(text);
    if (!endpoint) continue;  // verified records hold valid addresses; be safe anyway
    if (!port_.empty()) endpoint->port(static_cast<unsigned short>(std::stoul(port_)));
    if (std::find(out.begin(), out.end(), *endpoint) == out.end()) out.push_back(*endpoint);
  }
  return out;
}

boost::system::error_code NameLocator::check_owner(const names::Record& record) {
  if (known_names_.empty()) {
    owner_key_ = record.owner;
    return {};
  }
  auto known = names::KnownNames::load(known_names_);
  auto checked = known ? known->check_and_pin(name_, record.owner) : result<names::PinCheck>(known.error());
  if (checked || checked.error() != names::name_error::key_mismatch) {
    if (!checked) log::names()->warn("{}: owner key not pinned: {}: {}", name_, known_names_.string(), checked.error().message());
    else if (*checked == names::PinCheck::first_use) log::names()->info("{}: owner key pinned in {}", name_, known_names_.string());
    owner_key_ = record.owner;
    return {};
  }
  log::names()->error("{}", names::describe_key_mismatch(name_, *known->find(name_), record.owner, known_names_));
  return names::name_error::key_mismatch;
}

namespace {

// True if a key is pinned for `name` in `file` (an unreadable file pins nothing).
bool has_pinned_key(const std::filesystem::path& file, const std::string& name) {
  if (file.empty()) return false;
  auto known = names::KnownNames::load(file);
  return known && known->find(name);
}

}  // namespace

asio::awaitable<result<NameLocator::Endpoints>> NameLocator::resolve() {
  auto self = shared_from_this();
  auto record = co_await session_->client.lookup(name_);
  if (record) {
    if (auto refused = check_owner(*record)) co_return refused;
    version_ = std::max(version_, record->version);
    auto found = endpoints_of(*record);
    if (found.empty()) co_return names::name_error::not_found;
    known_ = found;
    co_return found;
  }
  if (record.error() != names::name_error::not_found || port_.empty()) co_return record.error();
  if (has_pinned_key(known_names_, name_)) co_return record.error();
  // Not a registered name: maybe a DNS host name (which proves no key).
  owner_key_.reset();
  tcp::resolver resolver(ex_);
  auto [ec, results] = co_await resolver.async_resolve(name_, port_, use_tuple);
  if (ec) co_return record.error();
  Endpoints found;
  for (const auto& entry : results) found.push_back(entry.endpoint());
  if (found.empty()) co_return record.error();
  co_return found;
}

void NameLocator::follow(std::function<void(const Endpoints&)> changed) {
  changed_ = std::move(changed);
  unsubscribe();
  // The watcher must not keep the locator alive: a locator destroyed
  // without stop() leaves the watch in its destructor.
  std::weak_ptr<NameLocator> weak = weak_from_this();
  subscription_ = session_->watcher->add(name_, version_, [weak](const names::WatchEvent& event) {
    if (auto self = weak.lock()) self->on_watch_event(event);
  });
}

void NameLocator::stop() {
  changed_ = nullptr;
  unsubscribe();
}

void NameLocator::network_changed() {
  // Our address changed: the process's connections to the service may be
  // bound to the old one. Every connection tells it; the second time on
  // costs nothing more than the first.
  session_->client.reconnect();
  session_->watcher->reconnect();
}

void NameLocator::on_watch_event(const names::WatchEvent& event) {
  if (event.kind != names::WatchEvent::Kind::changed) return;
  if (owner_key_ && event.record->owner != *owner_key_) {
    log::names()->warn("{}: ignoring version {}: signed by {}, not by the owner's key {}", name_,
                       event.record->version, names::to_base64(event.record->owner), names::to_base64(*owner_key_));
    return;
  }
  version_ = std::max(version_, event.record->version);
  auto where = endpoints_of(*event.record);
  if (where.empty() || where == known_) return;  // e.g. a refresh of the same addresses
  known_ = where;
  log::names()->info("{} now at {}", name_, event.record->addresses.front());
  if (changed_) changed_(where);
}

}  // namespace msocket::api
