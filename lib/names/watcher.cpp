#include "names/watcher.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "client_connection.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using error_code = boost::system::error_code;
using namespace std::chrono_literals;

namespace {

// An answer lists at most every record asked for (10,000 names, under
// 2 KiB each: server.hpp, max_watched_names).
constexpr std::size_t kMaxWatchAnswer = 32 * 1024 * 1024;
// At most the held watch and the one sent behind it are in flight: a third
// change of names waits for the first answer, and joins the next watch.
constexpr std::size_t kMaxWatchesInFlight = 2;
constexpr std::chrono::milliseconds kFirstPause = 250ms;
constexpr std::chrono::milliseconds kLongestPause = 5s;

// The records of a 200 answer, {"records": [...], "deleted": [...]}, and
// the names deleted; false if it is not such an answer.
bool parse_answer(const std::string& body, std::vector<Record>& records, std::vector<std::string>& deleted) {
  error_code ec;
  const auto value = json::parse(body, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* listed = object ? object->if_contains("records") : nullptr;
  const auto* gone = object ? object->if_contains("deleted") : nullptr;
  if (!listed || !listed->is_array() || !gone || !gone->is_array()) return false;
  for (const auto& entry : listed->get_array()) {
    auto record = from_json(entry);
    if (!record) return false;
    records.push_back(std::move(*record));
  }
  for (const auto& entry : gone->get_array()) {
    if (!entry.is_string()) return false;
    deleted.emplace_back(entry.get_string());
  }
  return true;
}

}  // namespace

Watcher::Watcher(asio::any_io_executor executor, std::vector<ServerUrl> servers, ClientOptions options)
    : executor_(executor), servers_(std::move(servers)), options_(options), wake_(executor), pause_(executor) {
  BOOST_ASSERT(!servers_.empty());
}

Watcher::~Watcher() = default;

WatchId Watcher::add(std::string name, std::uint64_t after, Handler on_event) {
  const WatchId id{++last_id_};
  subscriptions_.emplace(id, Subscription{std::move(name), after, std::move(on_event)});
  wanted_changed_ = true;
  wake_sender();
  if (!running_) {
    running_ = true;
    asio::co_spawn(executor_, run(), LogCoroutineFailure(log::names(), "the watch of names"));
  }
  return id;
}

void Watcher::remove(WatchId id) {
  // The name stays in the watch held until its next answer: harmless, and
  // it spares a watch sent for every connection that ends.
  subscriptions_.erase(id);
  if (!subscriptions_.empty()) return;
  // The watch ends, and the held one is abandoned with a reset: the server
  // then frees its slot at once, where a close would look to it like a
  // half-close, still waiting for its answer (server.cpp, next_bytes).
  if (connection_) {
    error_code ignored;
    connection_->stream.socket().set_option(asio::socket_base::linger(true, 0), ignored);
    connection_->stream.close();
  }
  wake_sender();
}

void Watcher::reconnect() {
  reconnecting_ = true;
  if (connection_) connection_->stream.close();
  pause_.cancel();
}

void Watcher::wake_sender() { wake_.cancel(); }

std::map<std::string, std::uint64_t> Watcher::wanted() const {
  std::map<std::string, std::uint64_t> names;
  for (const auto& [id, subscription] : subscriptions_) {
    auto [entry, fresh] = names.emplace(subscription.name, subscription.after);
    if (!fresh) entry->second = std::min(entry->second, subscription.after);
  }
  return names;
}

asio::awaitable<void> Watcher::run() {
  auto self = shared_from_this();
  auto pause = std::chrono::milliseconds(kFirstPause);
  std::size_t failed_in_a_row = 0;
  while (!subscriptions_.empty()) {
    const auto watching = current_;
    auto connected = watch_on_one_connection();
    const auto ec = co_await std::move(connected);
    if (subscriptions_.empty()) break;
    if (std::exchange(answered_, false)) {  // the server worked: its next failure is a first one
      failed_in_a_row = 0;
      pause = kFirstPause;
    }
    if (std::exchange(reconnecting_, false)) continue;  // from our new address, at once
    if (!ec) continue;  // closed by the server after an answer: watch again
    // The next server at once; after a round of failures, a pause (what
    // the subscribers knew stays valid meanwhile).
    current_ = (watching + 1) % servers_.size();
    log::names()->warn("watch of {} names at {}:{} ended: {}; trying {}:{}", subscriptions_.size(),
                       servers_[watching].host, servers_[watching].port, ec.message(), servers_[current_].host,
                       servers_[current_].port);
    if (++failed_in_a_row % servers_.size() != 0) continue;
    pause_.expires_after(pause);
    co_await pause_.async_wait(use_tuple);  // cut short by reconnect()
    pause = std::min<std::chrono::milliseconds>(pause * 2, kLongestPause);
  }
  running_ = false;
}

// Sends and reads watches on one connection until it fails (the error),
// the server closes it after an answer (success), or no subscription is
// left (success).
asio::awaitable<error_code> Watcher::watch_on_one_connection() {
  auto opening = open_connection(executor_, servers_[current_], current_, options_.connect_timeout);
  auto opened = co_await std::move(opening);
  if (!opened) co_return opened.error();
  if (subscriptions_.empty() || reconnecting_) co_return error_code{};
  auto connection = std::move(*opened);
  connection_ = connection.get();
  in_flight_.clear();
  wanted_changed_ = true;
  connection->stream.expires_after(options_.watch_wait + options_.request_timeout);
  auto reading = read_answers(*connection);
  auto sending = send_watches(*connection);
  auto outcome = co_await first_of(reading, sending);
  connection_ = nullptr;
  co_return outcome.index() == 0 ? std::get<0>(outcome) : std::get<1>(outcome);
}

// Sends a watch of every name wanted whenever they change (and when the
// last one sent was answered), as long as subscriptions are left.
asio::awaitable<error_code> Watcher::send_watches(Client::Connection& connection) {
  const auto target = "/v1/watch/?wait=" + std::to_string(options_.watch_wait.count());
  for (;;) {
    if (subscriptions_.empty()) co_return error_code{};
    if (wanted_changed_ && in_flight_.size() < kMaxWatchesInFlight) {
      wanted_changed_ = false;
      auto asked = wanted();
      json::object names;
      for (const auto& [name, after] : asked) names[name] = after;
      auto request = make_request(http::verb::post, target, json::serialize(json::object{{"names", std::move(names)}}));
      with_host(request, servers_[connection.server]);
      in_flight_.push_back(std::move(asked));
      connection.stream.expires_after(options_.request_timeout);  // the write's (a read is pending)
      auto [ec, written] = co_await http::async_write(connection.stream, request, use_tuple);
      if (ec) co_return ec;
      continue;
    }
    wake_.expires_at(asio::steady_timer::time_point::max());
    co_await wake_.async_wait(use_tuple);
  }
}

// Reads the answers to the watches sent, in order, and hands them out.
asio::awaitable<error_code> Watcher::read_answers(Client::Connection& connection) {
  for (;;) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxWatchAnswer);
    auto [ec, n] = co_await http::async_read(connection.stream, connection.buffer, parser, use_tuple);
    if (ec == beast::error::timeout) co_return name_error::timeout;
    if (ec) co_return ec;
    if (in_flight_.empty()) co_return name_error::bad_response;  // an answer to nothing we asked
    const auto asked = std::move(in_flight_.front());
    in_flight_.erase(in_flight_.begin());
    const auto response = parser.release();
    if (const auto refused = deliver(response.result_int(), response.body(), asked)) co_return refused;
    answered_ = true;
    if (in_flight_.empty()) wanted_changed_ = true;  // the next long poll
    wake_sender();
    if (!response.keep_alive()) co_return error_code{};
    connection.stream.expires_after(options_.watch_wait + options_.request_timeout);  // the next answer's
  }
}

error_code Watcher::deliver(unsigned status, const std::string& body, const std::map<std::string, std::uint64_t>& asked) {
  if (status == 204) return {};
  if (status != 200) return refusal(Client::Answer{status, body});
  std::vector<Record> records;
  std::vector<std::string> deleted;
  if (!parse_answer(body, records, deleted)) return name_error::bad_response;
  for (const auto& record : records) {
    const auto entry = asked.find(record.name);
    const char* wrong = entry == asked.end()               ? "a name not watched"
                        : !verify(record)                  ? "its signature does not verify"
                        : record.version <= entry->second  ? "a version not above the one watched"
                                                           : nullptr;
    if (wrong) log::names()->warn("ignoring the record of {} in a watch's answer: {}", record.name, wrong);
    else deliver_changed(record);
  }
  for (const auto& name : deleted)
    if (asked.contains(name)) deliver_deleted(name);
  return {};
}

void Watcher::deliver_changed(const Record& record) {
  // The ids first: a handler may add or remove subscriptions.
  std::vector<WatchId> ids;
  for (const auto& [id, subscription] : subscriptions_)
    if (subscription.name == record.name && subscription.after < record.version) ids.push_back(id);
  const WatchEvent event{WatchEvent::Kind::changed, record};
  for (const auto id : ids) {
    const auto found = subscriptions_.find(id);
    if (found == subscriptions_.end()) continue;
    found->second.after = record.version;
    const auto on_event = found->second.on_event;  // the handler may remove itself
    if (on_event) on_event(event);
  }
}

void Watcher::deliver_deleted(const std::string& name) {
  std::vector<WatchId> ids;
  for (const auto& [id, subscription] : subscriptions_)
    if (subscription.name == name && subscription.after > 0) ids.push_back(id);
  const WatchEvent event{WatchEvent::Kind::deleted, std::nullopt};
  for (const auto id : ids) {
    const auto found = subscriptions_.find(id);
    if (found == subscriptions_.end()) continue;
    found->second.after = 0;
    const auto on_event = found->second.on_event;
    if (on_event) on_event(event);
  }
}

}  // namespace msocket::names
