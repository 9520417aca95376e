// The answers of the name server (server.hpp, man/mnamed.8 "HTTP API"):
// lookups, listings, updates and watches, with the limits on updates and
// watches.
#include <algorithm>
#include <charconv>
#include <optional>

#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "server_state.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using error_code = boost::system::error_code;

namespace {

http::status status_of(Verdict verdict) {
  switch (verdict) {
    case Verdict::accepted: return http::status::ok;
    case Verdict::bad_signature: return http::status::forbidden;
    case Verdict::wrong_owner: return http::status::forbidden;
    case Verdict::stale_version: return http::status::conflict;
    case Verdict::expired: return http::status::unprocessable_entity;
    case Verdict::unknown_name: return http::status::not_found;
    case Verdict::storage_failed: return http::status::internal_server_error;
    case Verdict::refused: return http::status::too_many_requests;
  }
  return http::status::internal_server_error;
}

// The record in a PUT or DELETE body, or nullopt with the reason in `why`.
std::optional<Record> parse_record(std::string_view body, const std::string& name, std::string& why) {
  error_code ec;
  const auto value = json::parse(body, ec);
  if (ec) {
    why = "body is not JSON: " + ec.message();
    return std::nullopt;
  }
  auto record = from_json(value);
  if (!record) {
    why = "malformed record: a field is missing, mistyped or out of range";
    return std::nullopt;
  }
  if (record->name != name) {
    why = "the record is for another name than the URL's";
    return std::nullopt;
  }
  return std::move(*record);
}

std::string rate_text(const UpdateRate& rate) {
  return "too many updates for this key: at most " + std::to_string(static_cast<long>(rate.per_second)) +
         " a second, in bursts of " + std::to_string(static_cast<long>(rate.burst));
}

// PUT or DELETE /v1/names/NAME. Suspends until the update is durable.
asio::awaitable<Response> put_or_erase(std::shared_ptr<Server::State> state, const Request& request,
                                       const std::string& name, const Peer& peer) {
  const auto change = request.method() == http::verb::delete_ ? Change::erase : Change::put;
  const char* method = change == Change::erase ? "DELETE" : "PUT";
  std::string why;
  auto record = parse_record(request.body(), name, why);
  if (!record) {
    log::names()->warn("refused {} {} from {}: {}", method, name, peer.text, why);
    co_return refuse(request, http::status::bad_request, why);
  }
  // Only an update that passed every rule takes a token: nobody but the
  // key's holder can spend its budget.
  std::function<bool(const Record&)> admit = [&state](const Record& update) {
    return state->update_limiter.admit(update.owner, SteadyClock::now());
  };
  auto updating = state->registry.update(*record, change, state->now(), admit);
  const auto verdict = co_await std::move(updating);
  if (verdict == Verdict::refused) {
    log::names()->warn("refused {} {} version {} from {}: rate limit", method, name, record->version, peer.text);
    co_return refuse_for_now(request, http::status::too_many_requests, rate_text(state->options.update_rate));
  }
  if (verdict != Verdict::accepted) {
    log::names()->warn("refused {} {} version {} from {}: {}", method, name, record->version, peer.text,
                       describe(verdict));
    co_return refuse(request, status_of(verdict), describe(verdict));
  }
  log::names()->info("{} {} version {} ({} addresses) from {}", change == Change::erase ? "deleted" : "stored", name,
                     record->version, record->addresses.size(), peer.text);
  // The store tells every front end's watches of the change (Server::start).
  if (change == Change::erase) co_return reply_to(request, http::status::ok, json::object{{"name", name}, {"deleted", true}});
  co_return reply_to(request, http::status::ok, to_json(*record));
}

// What a listing asks for: `?prefix=P&limit=N`.
struct ListQuery {
  std::string prefix;
  std::size_t limit = kMaxListedRecords;
};

// Reads `?prefix=P&limit=N`, N from 1 up (more than kMaxListedRecords, even
// past 64 bits, gives that many); nullopt with the reason in `why` if the
// prefix is missing or not name characters, or N is not such a number.
std::optional<ListQuery> parse_list_query(std::string_view query, std::string& why) {
  ListQuery list;
  bool has_prefix = false, limit_ok = true;
  each_parameter(query, [&](std::string_view key, std::string_view value) {
    if (key == "prefix") {
      list.prefix = std::string(value);
      has_prefix = true;
    } else if (key == "limit") {
      const bool digits =
          !value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      std::uint64_t number = 0;
      if (std::from_chars(value.data(), value.data() + value.size(), number).ec == std::errc::result_out_of_range)
        number = kMaxListedRecords;
      limit_ok = digits && number > 0;
      list.limit = std::min<std::uint64_t>(number, kMaxListedRecords);
    }
    return true;  // unknown parameters are ignored
  });
  if (!has_prefix)
    why = "a prefix is needed: GET /v1/names/?prefix=P lists the names beginning with P "
          "(1 to 253 letters, digits, '.', '-' or '_')";
  else if (!valid_name(list.prefix))
    why = "invalid prefix: 1 to 253 letters, digits, '.', '-' or '_'";
  else if (!limit_ok)
    why = "limit must be a whole number from 1 up (at most " + std::to_string(kMaxListedRecords) + " records are given)";
  else
    return list;
  return std::nullopt;
}

// GET /v1/names/?prefix=P&limit=N: the live records under a prefix.
asio::awaitable<Response> list_names(std::shared_ptr<Server::State> state, const Request& request,
                                     std::string_view query) {
  std::string why;
  const auto asked = parse_list_query(query, why);
  if (!asked) co_return refuse(request, http::status::bad_request, why);
  auto reading = state->registry.list(asked->prefix, state->now(), asked->limit);
  const auto listed = co_await std::move(reading);
  if (!listed) co_return store_unavailable(request, listed.error());
  json::array records;
  for (const auto& record : *listed) records.push_back(to_json(record));
  co_return reply_to(request, http::status::ok, json::object{{"records", std::move(records)}});
}

// GET /v1/names/NAME: the live record.
asio::awaitable<Response> look_up(std::shared_ptr<Server::State> state, const Request& request, std::string name) {
  auto reading = state->registry.get(std::move(name), state->now());
  const auto found = co_await std::move(reading);
  if (!found) co_return store_unavailable(request, found.error());
  if (*found) co_return reply_to(request, http::status::ok, to_json(**found));
  co_return refuse(request, http::status::not_found, describe(Verdict::unknown_name));
}

}  // namespace

Response reply(unsigned version, bool keep_alive, http::status status, const json::value& body) {
  Response response{status, version};
  response.set(http::field::server, "mnamed");
  response.set(http::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  response.body() = json::serialize(body) + "\n";
  response.prepare_payload();
  return response;
}

Response reply_to(const Request& request, http::status status, const json::value& body) {
  return reply(request.version(), request.keep_alive(), status, body);
}

Response refuse(const Request& request, http::status status, std::string_view why) {
  return reply(request.version(), request.keep_alive(), status, json::object{{"error", why}});
}

Response refuse_for_now(const Request& request, http::status status, std::string_view why) {
  auto response = refuse(request, status, why);
  response.set(http::field::retry_after, "1");
  return response;
}

// 503: the store did not answer (e.g. no etcd endpoint is reachable); the
// client may try another front end or later.
Response store_unavailable(const Request& request, boost::system::error_code ec) {
  log::names()->warn("answering 503: {}", ec.message());
  return refuse_for_now(request, http::status::service_unavailable, "the name store is unavailable: " + ec.message());
}

Response no_content(const Request& request) {
  Response response{http::status::no_content, request.version()};
  response.set(http::field::server, "mnamed");
  response.keep_alive(request.keep_alive());
  return response;
}

asio::awaitable<Response> answer(std::shared_ptr<Server::State> state, const Request& request, const Peer& peer) {
  const std::string_view target = request.target();
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  const auto query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  const bool naming = path.starts_with(kNamesPrefix), watching = path.starts_with(kWatchPrefix);
  if (!naming && !watching) co_return refuse(request, http::status::not_found, "no such endpoint (see mnamed(8))");
  const std::string name(path.substr(naming ? kNamesPrefix.size() : kWatchPrefix.size()));
  const auto method = request.method();
  const bool watching_many = watching && name.empty();
  const bool allowed = watching_many ? method == http::verb::post
                                     : method == http::verb::get ||
                                           (naming && (method == http::verb::put || method == http::verb::delete_));
  if (!allowed) {
    auto response = refuse(request, http::status::method_not_allowed, "method not allowed here");
    response.set(http::field::allow, naming ? "GET, PUT, DELETE" : watching_many ? "POST" : "GET");
    co_return response;
  }
  if (watching_many) {
    auto holding = answer_watch(state, request, name, query, peer);
    co_return co_await std::move(holding);
  }
  // The path with no name lists names (a PUT or DELETE there is refused
  // below, as for any invalid name).
  if (naming && name.empty() && method == http::verb::get) {
    auto listing = list_names(state, request, query);
    co_return co_await std::move(listing);
  }
  if (!valid_name(name)) co_return refuse(request, http::status::bad_request, "invalid name");
  if (watching) {
    auto holding = answer_watch(state, request, name, query, peer);
    co_return co_await std::move(holding);
  }
  if (method != http::verb::get) {
    auto updating = put_or_erase(state, request, name, peer);
    co_return co_await std::move(updating);
  }
  auto looking = look_up(state, request, name);
  co_return co_await std::move(looking);
}

}  // namespace msocket::names
