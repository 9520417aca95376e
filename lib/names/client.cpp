#include "names/client.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "names/registry.hpp"
#include "client_connection.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr std::size_t kMaxAnswer = 64 * 1024;  // a record is well under 16 KiB
// A listing: up to 100 records (server.hpp, kMaxListedRecords) of under
// 2 KiB each (a name of 253 characters, 17 addresses of at most 64).
constexpr std::size_t kMaxListAnswer = 256 * 1024;

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A record in an answer: it must be the owner's record of `name`.
result<Record> answered_record(std::string_view body, const std::string& name) {
  error_code ec;
  const auto value = json::parse(body, ec);
  if (ec) return name_error::bad_response;
  auto record = from_json(value);
  if (!record || record->name != name) return name_error::bad_response;
  if (!verify(*record)) return name_error::bad_signature;
  return std::move(*record);
}

// The records of a listing of `prefix`, at most `limit`. A record that does
// not verify or is not under the prefix is left out: the rest are still
// good. An answer that is not a listing of records is bad_response.
result<std::vector<Record>> listed_records(std::string_view body, std::string_view prefix, std::size_t limit) {
  error_code ec;
  const auto value = json::parse(body, ec);
  const auto* object = ec ? nullptr : value.if_object();
  const auto* records = object ? object->if_contains("records") : nullptr;
  if (!records || !records->is_array()) return name_error::bad_response;
  std::vector<Record> listed;
  for (const auto& entry : records->get_array()) {
    auto record = from_json(entry);
    if (!record) return name_error::bad_response;
    const char* wrong = !record->name.starts_with(prefix) ? "its name lacks the prefix"
                        : !verify(*record)                ? "its signature does not verify"
                                                          : nullptr;
    if (wrong) log::names()->warn("left {} out of the listing of {}: {}", record->name, prefix, wrong);
    else if (listed.size() < limit) listed.push_back(std::move(*record));
  }
  return listed;
}

}  // namespace

// The error a refusal stands for (server.cpp: status_of and refuse).
error_code refusal(const Client::Answer& answer) {
  switch (answer.status) {
    case 400: return name_error::rejected;
    case 404: return name_error::not_found;
    case 409: return name_error::stale_version;
    case 410: return name_error::deleted;
    case 413: return name_error::too_large;
    case 422: return name_error::expired;
    case 403: {
      error_code ec;
      const auto value = json::parse(answer.body, ec);
      const auto* why = ec || !value.is_object() ? nullptr : value.as_object().if_contains("error");
      if (why && why->is_string() && why->as_string() == describe(Verdict::wrong_owner)) return name_error::wrong_owner;
      return name_error::bad_signature;
    }
    case 429: return name_error::too_many_requests;
    case 503: return name_error::server_busy;
    default: return answer.status >= 500 && answer.status < 600 ? name_error::server_failed : name_error::bad_response;
  }
}

result<ServerUrl> parse_server_url(std::string_view url) {
  if (url.starts_with("http://")) url.remove_prefix(7);
  else if (url.find("://") != std::string_view::npos) return name_error::bad_url;
  if (url.ends_with("/")) url.remove_suffix(1);
  ServerUrl server;
  std::string_view rest;
  if (url.starts_with("[")) {
    const auto close = url.find(']');
    if (close == std::string_view::npos) return name_error::bad_url;
    server.host = std::string(url.substr(1, close - 1));
    rest = url.substr(close + 1);
  } else {
    const auto colon = url.find(':');
    if (colon == std::string_view::npos) return name_error::bad_url;
    server.host = std::string(url.substr(0, colon));
    rest = url.substr(colon);
  }
  if (server.host.empty() || !rest.starts_with(":") || !all_digits(rest.substr(1)) || rest.size() > 6)
    return name_error::bad_url;
  server.port = std::string(rest.substr(1));
  const int port = std::stoi(server.port);
  if (port < 1 || port > 65535) return name_error::bad_url;
  return server;
}

result<std::vector<ServerUrl>> parse_server_list(std::string_view urls) {
  std::vector<ServerUrl> servers;
  for (;;) {
    const auto comma = urls.find(',');
    auto server = parse_server_url(urls.substr(0, comma));
    if (!server) return server.error();
    servers.push_back(std::move(*server));
    if (comma == std::string_view::npos) return servers;
    urls.remove_prefix(comma + 1);
  }
}

Client::Client(asio::any_io_executor executor, ServerUrl server, ClientOptions options)
    : Client(std::move(executor), std::vector<ServerUrl>{std::move(server)}, options) {}

Client::Client(asio::any_io_executor executor, std::vector<ServerUrl> servers, ClientOptions options)
    : executor_(std::move(executor)),
      servers_(std::move(servers)),
      options_(options),
      shared_(std::make_shared<Shared>()) {
  BOOST_ASSERT(!servers_.empty());
}

Client::~Client() = default;

asio::awaitable<result<Record>> Client::lookup(std::string name) {
  if (!valid_name(name)) co_return name_error::invalid_name;
  // Temporaries stay out of co_await expressions: g++ 12 destroys them
  // twice when a suspended coroutine is destroyed.
  const auto target = "/v1/names/" + name;
  const std::string no_body;
  auto answer = co_await exchange(http::verb::get, target, no_body, options_.request_timeout, kMaxAnswer);
  if (!answer) co_return answer.error();
  if (answer->status != 200) co_return refusal(*answer);
  co_return answered_record(answer->body, name);
}

asio::awaitable<result<std::vector<Record>>> Client::list(std::string prefix, std::size_t limit) {
  if (!valid_name(prefix)) co_return name_error::invalid_name;
  if (limit == 0) co_return std::vector<Record>{};
  // Name characters need no escaping in a query.
  const auto target = "/v1/names/?prefix=" + prefix + "&limit=" + std::to_string(limit);
  const std::string no_body;
  auto answer = co_await exchange(http::verb::get, target, no_body, options_.request_timeout, kMaxListAnswer);
  if (!answer) co_return answer.error();
  if (answer->status != 200) co_return refusal(*answer);
  co_return listed_records(answer->body, prefix, limit);
}

asio::awaitable<result<Record>> Client::put(Record record) {
  const auto body = json::serialize(to_json(record));
  const auto target = "/v1/names/" + record.name;
  const auto server_before = current_;
  auto answer = co_await exchange(http::verb::put, target, body, options_.request_timeout, kMaxAnswer);
  if (!answer) co_return answer.error();
  // Sent again to another front end after the first one failed: the first
  // may have stored it before failing, and then the second finds it stored
  // (409). If what is stored is our very record, the update was made.
  if (answer->status == 409 && current_ != server_before) {
    auto stored = co_await lookup(record.name);
    if (stored && *stored == record) co_return std::move(*stored);
  }
  if (answer->status != 200) co_return refusal(*answer);
  co_return answered_record(answer->body, record.name);
}

asio::awaitable<error_code> Client::erase(Record proof) {
  const auto body = json::serialize(to_json(proof));
  const auto target = "/v1/names/" + proof.name;
  auto answer = co_await exchange(http::verb::delete_, target, body, options_.request_timeout, kMaxAnswer);
  if (!answer) co_return answer.error();
  co_return answer->status == 200 ? error_code{} : refusal(*answer);
}

asio::awaitable<result<WatchEvent>> Client::watch(std::string name, std::uint64_t after) {
  if (!valid_name(name)) co_return name_error::invalid_name;
  const auto target = "/v1/watch/" + name + "?after=" + std::to_string(after) +
                      "&wait=" + std::to_string(options_.watch_wait.count());
  // The server may hold the request for watch_wait, then answers.
  const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options_.watch_wait) +
                       options_.request_timeout;
  const std::string no_body;
  const bool held = true;
  auto answer = co_await exchange(http::verb::get, target, no_body, timeout, kMaxAnswer, held);
  if (!answer) co_return answer.error();
  if (answer->status == 204) co_return WatchEvent{WatchEvent::Kind::unchanged, std::nullopt};
  if (answer->status == 410) co_return WatchEvent{WatchEvent::Kind::deleted, std::nullopt};
  if (answer->status != 200) co_return refusal(*answer);
  auto record = answered_record(answer->body, name);
  if (!record) co_return record.error();
  if (record->version <= after) co_return name_error::bad_response;
  co_return WatchEvent{WatchEvent::Kind::changed, std::move(*record)};
}

std::uint64_t next_version(std::optional<std::uint64_t> stored) {
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const auto now = static_cast<std::uint64_t>(std::max<std::int64_t>(now_us, 1));
  return stored ? std::max(now, *stored + 1) : now;
}

namespace {

// The version the server holds for `name`: nullopt if it holds none we can
// see. Errors: lookup's, but not_found.
asio::awaitable<result<std::optional<std::uint64_t>>> stored_version(Client& client, std::string name) {
  auto current = co_await client.lookup(std::move(name));
  if (current) co_return std::optional<std::uint64_t>(current->version);
  if (current.error() == name_error::not_found) co_return std::optional<std::uint64_t>();
  co_return current.error();
}

}  // namespace

asio::awaitable<result<Record>> publish(Client& client, SigningKey key, Registration registration) {
  if (!valid_name(registration.name)) co_return name_error::invalid_name;
  std::uint64_t version = registration.version;
  if (version == 0) {
    auto stored = co_await stored_version(client, registration.name);
    if (!stored) co_return stored.error();
    version = next_version(*stored);
  }
  Record record;
  record.name = std::move(registration.name);
  record.addresses = std::move(registration.addresses);
  record.control = std::move(registration.control);
  record.load = std::min(registration.load, kMaxLoad);
  record.version = version;
  record.expires = unix_seconds() + registration.ttl.count();
  sign(record, key);
  co_return co_await client.put(std::move(record));
}

asio::awaitable<error_code> unpublish(Client& client, SigningKey key, std::string name) {
  if (!valid_name(name)) co_return name_error::invalid_name;
  // An expired record is not found but still stored: the proof then carries
  // the current time as its version, which is above any version we wrote.
  auto stored = co_await stored_version(client, name);
  if (!stored) co_return stored.error();
  Record proof;
  proof.name = std::move(name);
  proof.version = next_version(*stored);
  proof.expires = unix_seconds() + 60;
  sign(proof, key);
  co_return co_await client.erase(std::move(proof));
}

asio::awaitable<error_code> follow(Client& client, std::string name, std::uint64_t after,
                                   std::function<void(const WatchEvent&)> on_event) {
  for (;;) {
    auto event = co_await client.watch(name, after);
    if (!event) co_return event.error();
    if (event->kind == WatchEvent::Kind::unchanged) continue;
    after = event->kind == WatchEvent::Kind::changed ? event->record->version : 0;
    on_event(*event);
  }
}

}  // namespace msocket::names
