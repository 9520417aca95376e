#include "api/relay_reservations.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "api/name_locator.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "names/client.hpp"
#include "names/name_error.hpp"
#include "paths/shared_address_watcher.hpp"
#include "proxy/pool_registration.hpp"
#include "transport/listener.hpp"

namespace msocket::api {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {

// A relay lost is not taken again for this long while others are left.
constexpr auto kBenched = std::chrono::minutes(1);
// How long ranking the candidates waits for their connect times.
constexpr auto kProbeTimeout = std::chrono::seconds(2);
// After a move's last address event, wait this long before picking again.
constexpr auto kMoveSettles = std::chrono::seconds(1);

}  // namespace

RelayReservations::RelayReservations(asio::any_io_executor ex, std::shared_ptr<transport::Listener> listener,
                                     names::SigningKey key, std::string name, std::vector<std::string> relays,
                                     std::size_t use, std::string pool_url)
    : ex_(ex),
      listener_(listener),
      key_(key),
      name_(std::move(name)),
      relays_(std::move(relays)),
      use_(use),
      pool_url_(std::move(pool_url)),
      settled_(ex),
      repick_(ex) {}

std::size_t RelayReservations::target() const { return use_ == 0 || use_ > relays_.size() ? relays_.size() : use_; }

RelayReservations::~RelayReservations() { stop(); }

bool RelayReservations::all_settled() const {
  for (const auto& agent : agents_)
    if (!agent->settled()) return false;
  return true;
}

std::vector<std::string> RelayReservations::addresses() const {
  std::vector<std::string> out;
  for (const auto& agent : agents_)
    if (auto address = agent->address()) out.push_back(*address);
  return out;
}

void RelayReservations::changed() {
  replace_lost();
  settled_.cancel();
  auto now = addresses();
  if (now == last_addresses_) return;
  last_addresses_ = std::move(now);
  tell_listener();
  if (on_change_) on_change_();
}

// The listener's connections offer the relays to their clients, which keep
// a flowpath through each: a relay that drains or dies is then left by the
// scheduler, without a lookup.
void RelayReservations::tell_listener() {
  auto listener = listener_.lock();
  if (!listener) return;
  std::vector<asio::ip::tcp::endpoint> relays;
  for (const auto& address : last_addresses_)
    if (auto endpoint = parse_endpoint(address)) relays.push_back(*endpoint);
  listener->set_relays(std::move(relays));
}

void RelayReservations::start_agent(const std::string& relay) {
  std::weak_ptr<RelayReservations> weak = shared_from_this();
  auto on_flowpath = [listener = listener_](asio::ip::tcp::socket socket, asio::ip::address client) {
    if (auto l = listener.lock()) l->adopt(std::move(socket), client);
  };
  auto on_change = [weak] {
    if (auto me = weak.lock()) me->changed();
  };
  auto agent =
      std::make_shared<proxy::RelayAgent>(ex_, relay, name_, key_, std::move(on_flowpath), std::move(on_change));
  agents_.push_back(agent);
  agent->start();
}

// A relay that died (refuses connections, or stayed out of reach longer
// than the reservation lives), drains, or refuses us is lost: with fewer
// relays in use than candidates, the nearest one not lost lately takes
// its place (the oldest loss when all were). Its reservation then reaches
// the name's record, and clients that lost their flowpath find it there.
void RelayReservations::replace_lost() {
  if (target() >= relays_.size() || stopped_) return;
  std::vector<std::shared_ptr<proxy::RelayAgent>> lost;
  for (const auto& agent : agents_)
    if (agent->settled() && !agent->address() && (agent->failure() || agent->draining() || agent->given_up()))
      lost.push_back(agent);
  const auto now = Clock::now();
  for (const auto& agent : lost) {
    benched_[agent->relay()] = now;
    std::erase(agents_, agent);
    agent->stop();
    const std::string* next = nullptr;
    bool fresh = false;
    for (const auto& relay : relays_) {
      const bool in_use = std::any_of(agents_.begin(), agents_.end(), [&](const auto& a) { return a->relay() == relay; });
      if (in_use || relay == agent->relay()) continue;
      const auto bench = benched_.find(relay);
      if (bench == benched_.end() || now - bench->second > kBenched) {
        next = &relay;
        fresh = true;
        break;
      }
      if (!next || bench->second < benched_[*next]) next = &relay;
    }
    if (!next) next = &agent->relay();  // the only candidate: keep at it
    log::proxy()->info("relay {} lost ({}): reserving {} on {} instead", agent->relay(),
                       agent->draining() ? "draining" : agent->failure().message(), name_, *next);
    start_agent(*next);
    // Every candidate was lost lately: the pool may know new relays, taken
    // when the one just started is lost in turn.
    if (!fresh && !pool_url_.empty() && !refreshing_) {
      refreshing_ = true;
      asio::co_spawn(ex_, refresh_pool(), LogCoroutineFailure(log::proxy(), "listing the pool of relays again"));
    }
  }
}

asio::awaitable<result<std::vector<std::string>>> RelayReservations::list_pool() {
  auto url = names::parse_server_list(pool_url_);
  if (!url) co_return boost::system::error_code(asio::error::invalid_argument);
  names::Client client(ex_, *url);
  auto records = co_await client.list(std::string(proxy::kPoolPrefix));
  if (!records) co_return records.error();
  std::vector<std::string> relays;
  for (const auto& record : *records) {
    if (record.addresses.empty()) continue;
    relays.push_back(record.addresses.front());
    loads_[record.addresses.front()] = record.load;
  }
  log::proxy()->info("{} relay(s) in the pool at {}", relays.size(), pool_url_);
  co_return relays;
}

asio::awaitable<void> RelayReservations::refresh_pool() {
  auto self = shared_from_this();
  auto listed = co_await list_pool();
  refreshing_ = false;
  if (!listed || stopped_) co_return;
  add_candidates(std::move(*listed));
}

void RelayReservations::add_candidates(std::vector<std::string> relays) {
  for (auto& relay : relays)
    if (std::find(relays_.begin(), relays_.end(), relay) == relays_.end()) relays_.push_back(std::move(relay));
}

asio::awaitable<std::vector<proxy::RelayDistance>> RelayReservations::probe_all() {
  auto probes = std::make_shared<std::vector<proxy::RelayDistance>>();
  for (const auto& relay : relays_) {
    const auto load = loads_.find(relay);
    probes->push_back({relay, std::nullopt, load == loads_.end() ? 0 : load->second});
  }
  auto left = std::make_shared<std::size_t>(probes->size());
  auto all_done = std::make_shared<asio::steady_timer>(ex_, kProbeTimeout);
  // Each probe holds what it touches: one that outlives the wait (or us) is harmless.
  for (std::size_t i = 0; i < probes->size(); ++i) {
    asio::co_spawn(
        ex_,
        [ex = ex_, probes, left, all_done, i]() -> asio::awaitable<void> {
          const auto began = Clock::now();
          if (co_await proxy::probe_relay(ex, (*probes)[i].relay, kProbeTimeout))
            (*probes)[i].connect_time = Clock::now() - began;
          if (--*left == 0) all_done->cancel();
        },
        asio::detached);
  }
  co_await all_done->async_wait(use_tuple);
  // A probe still out keeps writing into the shared vector: answer with a copy.
  auto distances = *probes;
  std::string text;
  for (const auto& d : proxy::by_distance(distances)) {
    const auto it = std::find_if(distances.begin(), distances.end(), [&](const auto& x) { return x.relay == d; });
    text += (text.empty() ? "" : ", ") + d + " " +
            (it->connect_time ? std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(*it->connect_time).count()) + " us"
                              : std::string("out of reach")) +
            (it->load ? " (load " + std::to_string(it->load) + "/1000)" : std::string());
  }
  log::proxy()->info("relays by connect time, then load: {}", text);
  co_return distances;
}

asio::awaitable<std::vector<std::string>> RelayReservations::rank_by_distance() {
  co_return proxy::by_distance(co_await probe_all());
}

// After a move the relays' distances are not what they were: a relay in
// use that is out of reach now, or much farther than one unused, gives its
// place to the nearer one (relay_choice.hpp). The new one is reserved
// first; clients keep their flowpaths until its address replaces the old
// one's in what they are told (§5.7).
asio::awaitable<void> RelayReservations::pick_again() {
  auto self = shared_from_this();
  while (Clock::now() < repick_at_ && !stopped_) {
    repick_.expires_at(repick_at_);
    co_await repick_.async_wait(use_tuple);
  }
  if (stopped_) {
    repicking_ = false;
    co_return;
  }
  if (!pool_url_.empty()) {
    if (auto listed = co_await list_pool()) add_candidates(std::move(*listed));
  }
  const auto distances = co_await probe_all();
  repicking_ = false;
  if (stopped_) co_return;
  std::vector<std::string> in_use;
  for (const auto& agent : agents_) in_use.push_back(agent->relay());
  for (const auto& [out, in] : proxy::nearer_relays(distances, in_use)) {
    log::proxy()->info("after the move relay {} is nearer than {}: {} moves there", in, out, name_);
    const auto agent = std::find_if(agents_.begin(), agents_.end(), [&](const auto& a) { return a->relay() == out; });
    if (agent == agents_.end()) continue;
    auto leaving = *agent;
    agents_.erase(agent);
    start_agent(in);
    leaving->stop();
  }
  changed();
}

asio::awaitable<error_code> RelayReservations::start(Duration wait) {
  auto self = shared_from_this();
  std::weak_ptr<RelayReservations> weak = self;
  if (!pool_url_.empty()) {
    auto listed = co_await list_pool();
    if (!listed) co_return listed.error();
    if (listed->empty()) co_return names::name_error::not_found;
    relays_ = std::move(*listed);
  }
  if (target() < relays_.size()) relays_ = co_await rank_by_distance();
  for (std::size_t i = 0; i < target(); ++i) start_agent(relays_[i]);
  watch_ = paths::SharedAddressWatcher::of(ex_).subscribe(ex_, [weak](const paths::AddressEvent& event, const auto&) {
    if (auto me = weak.lock()) me->network_changed(event);
  });
  if (!watch_)
    log::proxy()->warn("cannot follow local addresses: control channels to relays are reopened only when lost");
  const auto deadline = Clock::now() + wait;
  while (!all_settled() && Clock::now() < deadline) {
    settled_.expires_at(deadline);
    co_await settled_.async_wait(use_tuple);
  }
  last_addresses_ = addresses();
  tell_listener();
  if (!last_addresses_.empty()) co_return error_code{};
  for (const auto& agent : agents_)
    if (agent->failure()) co_return agent->failure();
  co_return error_code(asio::error::timed_out);
}

// Reopening a control channel makes the relay close every flow joined
// through the old one, so only what may have broken it does: its own
// address going, or a link going down. An address that comes (a second
// network, an IPv6 address once its duplicate check is over, a lifetime a
// router advertisement refreshes) leaves a working channel working; it
// only wakes an agent that has none.
void RelayReservations::network_changed(const paths::AddressEvent& event) {
  using Kind = paths::AddressEventKind;
  for (auto& agent : agents_) {
    const bool lost = event.kind == Kind::link_down ||
                      (event.kind == Kind::address_removed && agent->leaves_from(event.address));
    if (lost || !agent->connected()) agent->network_changed();
  }
  // A new network: pick again once the events of the move have settled.
  const bool moved = event.kind == Kind::address_added || event.kind == Kind::link_up;
  if (!moved || target() >= relays_.size() || stopped_) return;
  repick_at_ = Clock::now() + kMoveSettles;
  if (repicking_) return;
  repicking_ = true;
  asio::co_spawn(ex_, pick_again(), LogCoroutineFailure(log::proxy(), "picking relays again after a move"));
}

void RelayReservations::stop() {
  stopped_ = true;
  watch_.reset();
  settled_.cancel();
  repick_.cancel();
  for (auto& agent : agents_) agent->stop();
}

}  // namespace msocket::api
