// The name server's watches (server.hpp, docs/protocol.md §6): GET
// /v1/watch/NAME holds one name, POST /v1/watch/ holds many; both within
// the limits on watches held.
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "names/deadline.hpp"
#include "server_state.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using error_code = boost::system::error_code;

namespace {

// Lists a waiting watch in State::watches under each of its names, for
// notify(), and counts it in State::watches_waiting.
class TrackedWatch {
 public:
  template <class Names>
  TrackedWatch(Server::State& state, const Names& names, WatchWaiter& waiter) : state_(state) {
    for (const auto& name : names) entries_.push_back(state.watches.emplace(name, &waiter));
    ++state_.watches_waiting;
  }
  ~TrackedWatch() {
    for (auto entry : entries_) state_.watches.erase(entry);
    --state_.watches_waiting;
  }
  TrackedWatch(const TrackedWatch&) = delete;
  TrackedWatch& operator=(const TrackedWatch&) = delete;

 private:
  Server::State& state_;
  std::vector<std::multimap<std::string, WatchWaiter*>::iterator> entries_;
};

// True once the watch's connection has ended it (server.cpp,
// answer_watch_or_next) or the server stops: it answers at once.
asio::awaitable<bool> ended(const Server::State& state) {
  const auto cancellation = co_await asio::this_coro::cancellation_state;
  co_return state.stopped || cancellation.cancelled() != asio::cancellation_type::none;
}

// GET /v1/watch/NAME: see server.hpp. Suspends until the answer is known.
asio::awaitable<Response> hold_watch(std::shared_ptr<Server::State> state, const Request& request, std::string name,
                                     std::uint64_t after, std::chrono::seconds wait) {
  const auto deadline = saturating_deadline<SteadyClock>(SteadyClock::now(), wait);
  asio::steady_timer timer(state->executor);
  WatchWaiter waiter{timer};
  const std::array<std::string, 1> names{name};
  for (;;) {
    const auto now = state->now();
    const auto changes_before = state->changes_of(name);
    auto reading = state->registry.get(name, now);
    const auto found = co_await std::move(reading);
    if (!found) co_return store_unavailable(request, found.error());
    // stop() may have come while the store was asked: it found no timer to
    // cancel, so this watch must not wait.
    if (state->stopped) co_return refuse(request, http::status::service_unavailable, "the server is stopping");
    const auto& record = *found;
    if (record && record->version > after) co_return reply_to(request, http::status::ok, to_json(*record));
    if (!record && after > 0) co_return refuse(request, http::status::gone, "the name was deleted or has expired");
    const auto steady_now = SteadyClock::now();
    if (steady_now >= deadline) co_return no_content(request);
    if (state->changes_of(name) != changes_before) continue;  // told of a change while reading: read again
    // Also wake when the record expires, so its watchers learn of the
    // lapse; an expiry centuries away saturates instead of wrapping into
    // the past (which would wake the watch at once, again and again).
    auto until = deadline;
    if (record) until = std::min(until, saturating_deadline<SteadyClock>(steady_now, seconds_until(record->expires, now)));
    timer.expires_at(until);
    TrackedWatch tracked(*state, names, waiter);
    co_await timer.async_wait(use_tuple);
    if (state->stopped) co_return refuse(request, http::status::service_unavailable, "the server is stopping");
    if (co_await ended(*state)) co_return no_content(request);
  }
}

// What a watch of many names has found: the records above their versions
// and the names gone since theirs.
struct Findings {
  json::array records;
  json::array deleted;
  bool empty() const { return records.empty() && deleted.empty(); }
};

// POST /v1/watch/: as hold_watch, for every name of `asked` (name ->
// version known). It stays listed under all its names from its start, so
// that a change told while the store is read is not missed: it then reads
// again only the names it was told of (and those whose record expires).
asio::awaitable<Response> hold_many(std::shared_ptr<Server::State> state, const Request& request,
                                    std::map<std::string, std::uint64_t> asked, std::chrono::seconds wait) {
  const auto deadline = saturating_deadline<SteadyClock>(SteadyClock::now(), wait);
  asio::steady_timer timer(state->executor);
  std::set<std::string> woken;
  bool everything_woken = true;  // the first pass reads every name
  WatchWaiter waiter{timer, &woken, &everything_woken};
  std::vector<std::string> names;
  for (const auto& [name, after] : asked) names.push_back(name);
  TrackedWatch tracked(*state, names, waiter);
  std::multimap<SteadyClock::time_point, std::string> expiries;  // of the live records read
  for (;;) {
    std::vector<std::string> to_read;
    if (std::exchange(everything_woken, false)) to_read = names;
    else to_read.assign(woken.begin(), woken.end());
    woken.clear();
    Findings found;
    for (const auto& name : to_read) {
      const auto now = state->now();
      auto reading = state->registry.get(name, now);
      const auto record = co_await std::move(reading);
      if (!record) co_return store_unavailable(request, record.error());
      if (state->stopped) co_return refuse(request, http::status::service_unavailable, "the server is stopping");
      const auto after = asked[name];
      if (*record && (*record)->version > after) found.records.push_back(to_json(**record));
      else if (!*record && after > 0) found.deleted.push_back(json::string(name));
      else if (*record) expiries.emplace(saturating_deadline<SteadyClock>(SteadyClock::now(),
                                                                          seconds_until((*record)->expires, now)), name);
    }
    if (!found.empty())
      co_return reply_to(request, http::status::ok,
                         json::object{{"records", std::move(found.records)}, {"deleted", std::move(found.deleted)}});
    const auto steady_now = SteadyClock::now();
    if (steady_now >= deadline) co_return no_content(request);
    if (everything_woken || !woken.empty()) continue;  // told of changes while reading
    timer.expires_at(expiries.empty() ? deadline : std::min(deadline, expiries.begin()->first));
    co_await timer.async_wait(use_tuple);
    if (state->stopped) co_return refuse(request, http::status::service_unavailable, "the server is stopping");
    if (co_await ended(*state)) co_return no_content(request);
    // Records that lapsed are read again too (an old entry of a name read
    // since only costs one more read).
    for (auto now = SteadyClock::now(); !expiries.empty() && expiries.begin()->first <= now;) {
      woken.insert(expiries.begin()->second);
      expiries.erase(expiries.begin());
    }
  }
}

// A slot for a watch, or the refusal to answer (429 or 503).
std::optional<Response> take_watch_slot(Server::State& state, const Request& request, const Peer& peer,
                                        std::string_view what, AddressSlots::Slot& slot) {
  const auto refusal = state.watch_slots.take(peer.address, slot);
  if (refusal == AddressSlots::Refusal::address_full) {
    log::names()->warn("refused a watch of {} from {}: {} watches held from there", what, peer.text,
                       state.watch_slots.per_address());
    return refuse_for_now(request, http::status::too_many_requests,
                          "too many watches from this address: at most " +
                              std::to_string(state.watch_slots.per_address()));
  }
  if (refusal == AddressSlots::Refusal::total_full) {
    log::names()->warn("refused a watch of {} from {}: all {} watch slots held", what, peer.text,
                       state.watch_slots.total());
    return refuse_for_now(request, http::status::service_unavailable,
                          "the server holds as many watches as it may; try again later");
  }
  return std::nullopt;
}

// Reads `?after=V&wait=S` (a watch of many names has no `after`); false if
// a value is not a number.
bool parse_watch_query(std::string_view query, const ServerOptions& options, std::uint64_t& after,
                       std::chrono::seconds& wait) {
  wait = options.watch_wait;
  return each_parameter(query, [&](std::string_view key, std::string_view value) {
    std::uint64_t number = 0;
    if (key != "after" && key != "wait") return true;  // unknown parameters are ignored
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size()) return false;
    if (key == "after") after = number;
    else wait = std::chrono::seconds(std::min<std::uint64_t>(number, options.max_watch_wait.count()));
    return true;
  });
}

// The body of a watch of many names, {"names": {NAME: VERSION, ...}}, as
// name -> version; nullopt with the reason in `why`.
std::optional<std::map<std::string, std::uint64_t>> parse_watched_names(std::string_view body,
                                                                        std::size_t most, std::string& why) {
  error_code ec;
  const auto value = json::parse(body, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* names = object ? object->if_contains("names") : nullptr;
  if (!names || !names->is_object() || names->as_object().empty()) {
    why = "the body must be {\"names\": {NAME: VERSION, ...}} with at least one name";
    return std::nullopt;
  }
  if (names->as_object().size() > most) {
    why = "too many names in one watch: at most " + std::to_string(most);
    return std::nullopt;
  }
  std::map<std::string, std::uint64_t> asked;
  for (const auto& [key, version] : names->as_object()) {
    const std::string name(key);
    const bool whole = version.is_uint64() || (version.is_int64() && version.as_int64() >= 0);
    if (!valid_name(name) || !whole) {
      why = "invalid name or version in the watch: " + name;
      return std::nullopt;
    }
    asked[name] = version.is_uint64() ? version.as_uint64() : static_cast<std::uint64_t>(version.as_int64());
  }
  return asked;
}

}  // namespace

asio::awaitable<Response> answer_watch(std::shared_ptr<Server::State> state, const Request& request, std::string name,
                                       std::string_view query, const Peer& peer) {
  std::uint64_t after = 0;
  std::chrono::seconds wait{};
  if (!parse_watch_query(query, state->options, after, wait))
    co_return refuse(request, http::status::bad_request, "after and wait must be whole numbers");
  std::optional<std::map<std::string, std::uint64_t>> asked;
  if (name.empty()) {
    std::string why;
    asked = parse_watched_names(request.body(), state->options.max_watched_names, why);
    if (!asked) co_return refuse(request, http::status::bad_request, why);
  }
  const auto what = asked ? std::to_string(asked->size()) + " names" : name;
  AddressSlots::Slot slot;
  if (auto refused = take_watch_slot(*state, request, peer, what, slot)) co_return std::move(*refused);
  if (asked) {
    auto holding = hold_many(state, request, std::move(*asked), wait);
    co_return co_await std::move(holding);
  }
  auto holding = hold_watch(state, request, std::move(name), after, wait);
  co_return co_await std::move(holding);
}

}  // namespace msocket::names
