// The etcd store's one watch of its prefix (etcd_shared.hpp): a streamed
// answer of /v3/watch, one JSON object a line, whose events become
// on_change() calls.
#include <array>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "etcd_shared.hpp"
#include "names/name_error.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using error_code = boost::system::error_code;

namespace {

constexpr std::size_t kMaxLine = 4 * 1024 * 1024;
constexpr auto kRetryPause = std::chrono::milliseconds(200);
// A member that vanished without a reset (a cut link) is noticed after
// this long without a byte. An idle watch is silent as long, so silence
// alone is not taken for a failure: the watch is renewed on the same
// member, and only a failed connection moves it to the next.
constexpr auto kSilence = std::chrono::seconds(30);

std::string_view text_of(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->as_string()) : std::string_view{};
}

// One line of the stream. False if the watch must be made anew (etcd
// cancelled it, e.g. its start revision was compacted away).
bool take_line(EtcdShared& shared, std::string_view line) {
  error_code ec;
  const auto value = json::parse(line, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* result = object ? object->if_contains("result") : nullptr;
  if (!result || !result->is_object()) {
    log::names()->warn("etcd watch: unexpected line {}", line.substr(0, 200));
    return false;
  }
  const auto& answer = result->as_object();
  if (const auto* canceled = answer.if_contains("canceled"); canceled && canceled->is_bool() && canceled->as_bool()) {
    log::names()->warn("etcd watch cancelled: {}", text_of(answer, "cancel_reason"));
    // Changes may have been missed: every watch looks again.
    shared.next_revision = 0;
    if (shared.changed) shared.changed("");
    return false;
  }
  const auto* events = answer.if_contains("events");
  if (!events || !events->is_array()) return true;
  for (const auto& event : events->as_array()) {
    const auto* kv = event.is_object() ? event.as_object().if_contains("kv") : nullptr;
    if (!kv || !kv->is_object()) continue;
    const auto key = etcd_unbase64(text_of(kv->as_object(), "key"));
    shared.next_revision = std::max(shared.next_revision, etcd_number(kv->as_object().if_contains("mod_revision")) + 1);
    ++shared.events;
    const auto name = key ? shared.name_of(*key) : std::string();
    SPDLOG_LOGGER_TRACE(log::names(), "etcd watch: {} changed at revision {}", name, shared.next_revision - 1);
    if (!name.empty() && shared.changed) shared.changed(name);
  }
  return true;
}

// One watch on one connection, until it fails or the store stops.
asio::awaitable<error_code> watch_on(std::shared_ptr<EtcdShared> shared, beast::tcp_stream& stream, std::size_t endpoint) {
  const auto& prefix = shared->gateway.options().prefix;
  json::object create{{"key", etcd_base64(prefix)}, {"range_end", etcd_base64(etcd_prefix_end(prefix))}};
  if (shared->next_revision > 0) create["start_revision"] = std::to_string(shared->next_revision);
  http::request<http::string_body> request{http::verb::post, "/v3/watch", 11};
  request.set(http::field::host, shared->gateway.authority(endpoint));
  request.set(http::field::content_type, "application/json");
  request.body() = json::serialize(json::object{{"create_request", std::move(create)}});
  request.prepare_payload();
  stream.expires_after(shared->gateway.options().attempt_timeout);
  auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
  if (write_error) co_return write_error;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);  // a stream without end
  auto [header_error, header_bytes] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
  if (header_error) co_return header_error;
  if (parser.get().result() != http::status::ok) co_return name_error::store_unavailable;
  log::names()->info("etcd watch of {} on {} from revision {}", prefix, shared->gateway.authority(endpoint),
                     shared->next_revision);
  std::string pending;
  std::array<char, 16 * 1024> chunk;
  while (!shared->stopped && !parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    stream.expires_after(kSilence);
    auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) co_return ec;
    pending.append(chunk.data(), chunk.size() - parser.get().body().size);
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      const bool go_on = take_line(*shared, std::string_view(pending).substr(0, end));
      pending.erase(0, end + 1);
      if (!go_on) co_return name_error::store_unavailable;
    }
    if (pending.size() > kMaxLine) co_return name_error::bad_response;
  }
  co_return name_error::store_unavailable;  // the member ended the stream
}

}  // namespace

std::string EtcdShared::name_of(std::string_view key) const {
  const auto& prefix = gateway.options().prefix;
  if (!key.starts_with(prefix)) return {};
  key.remove_prefix(prefix.size());
  for (std::string_view kind : {"claim/", "record/"})
    if (key.starts_with(kind)) return std::string(key.substr(kind.size()));
  return {};
}

asio::awaitable<void> follow_etcd_changes(std::shared_ptr<EtcdShared> shared) {
  while (!shared->stopped) {
    const auto endpoint = shared->gateway.current();
    auto connecting = shared->gateway.connect_current();
    auto connected = co_await std::move(connecting);
    if (shared->stopped) break;
    error_code ec = connected ? error_code{} : connected.error();
    if (connected) {
      shared->watch_stream = connected->stream.get();
      auto watching = watch_on(shared, *connected->stream, connected->endpoint);
      ec = co_await std::move(watching);
      shared->watch_stream = nullptr;
      if (shared->stopped) break;
    }
    // Silence alone is no failure (an idle watch): the same member again.
    log::names()->debug("etcd watch on {} ended: {}", shared->gateway.authority(endpoint), ec.message());
    if (!connected || ec != beast::error::timeout) shared->gateway.failed(endpoint);
    asio::steady_timer pause(shared->gateway.executor(), kRetryPause);
    co_await pause.async_wait(use_tuple);
  }
}

}  // namespace msocket::names
