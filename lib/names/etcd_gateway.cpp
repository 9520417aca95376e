#include "names/etcd_gateway.hpp"

#include <sodium.h>

#include <charconv>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

// A listing of 100 records (kMaxListedRecords, under 2 KiB each) in base64
// and JSON, with room to spare.
constexpr std::size_t kMaxAnswer = 4 * 1024 * 1024;
constexpr std::size_t kMaxIdle = 16;
constexpr auto kRoundPause = std::chrono::milliseconds(200);  // after every endpoint failed once

}  // namespace

int EtcdAnswer::error_code() const {
  const auto* object = body.if_object();
  const auto* code = object ? object->if_contains("code") : nullptr;
  return code && code->is_int64() ? static_cast<int>(code->as_int64()) : 0;
}

EtcdGateway::EtcdGateway(asio::any_io_executor executor, std::vector<ServerUrl> endpoints, EtcdOptions options)
    : executor_(std::move(executor)), endpoints_(std::move(endpoints)), options_(std::move(options)) {
  BOOST_ASSERT(!endpoints_.empty());
}

EtcdGateway::~EtcdGateway() = default;

std::string EtcdGateway::authority(std::size_t endpoint) const {
  const auto& url = endpoints_[endpoint];
  const bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) + ":" + url.port;
}

void EtcdGateway::failed(std::size_t endpoint) {
  if (endpoint != current_) return;
  current_ = (current_ + 1) % endpoints_.size();
  if (endpoints_.size() > 1) log::names()->warn("etcd endpoint {} failed; now using {}", authority(endpoint), authority(current_));
  else log::names()->debug("etcd endpoint {} failed", authority(endpoint));
  std::erase_if(idle_, [endpoint](const Idle& idle) { return idle.endpoint == endpoint; });
}

asio::awaitable<result<EtcdGateway::Connected>> EtcdGateway::connect_current() {
  const auto endpoint = current_;
  const auto& url = endpoints_[endpoint];
  Connected connected{endpoint, std::make_unique<beast::tcp_stream>(executor_)};
  tcp::resolver resolver(executor_);
  auto [resolve_error, results] = co_await resolver.async_resolve(url.host, url.port, use_tuple);
  if (resolve_error) co_return resolve_error;
  connected.stream->expires_after(options_.connect_timeout);
  auto [ec, where] = co_await connected.stream->async_connect(results, use_tuple);
  if (ec) co_return ec;
  connected.stream->expires_never();
  co_return connected;
}

asio::awaitable<std::optional<EtcdAnswer>> EtcdGateway::attempt(std::size_t endpoint, const std::string& path,
                                                                 const std::string& body) {
  http::request<http::string_body> request{http::verb::post, path, 11};
  request.set(http::field::host, authority(endpoint));
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.keep_alive(true);
  request.prepare_payload();
  // A kept-alive connection the member closed meanwhile fails at once: then
  // once more on a new one before the endpoint counts as failed.
  for (int fresh = 0; fresh < 2; ++fresh) {
    std::unique_ptr<beast::tcp_stream> stream;
    for (auto it = idle_.rbegin(); it != idle_.rend() && !stream; ++it) {
      if (it->endpoint != endpoint) continue;
      stream = std::move(it->stream);
      idle_.erase(std::next(it).base());
    }
    const bool reused = stream != nullptr;
    if (!stream) {
      if (endpoint != current_) co_return std::nullopt;
      auto connected = co_await connect_current();
      if (!connected) co_return std::nullopt;
      stream = std::move(connected->stream);
    }
    stream->expires_after(options_.attempt_timeout);
    auto [write_error, written] = co_await http::async_write(*stream, request, use_tuple);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswer);
    error_code read_error = write_error;
    if (!write_error) std::tie(read_error, std::ignore) = co_await http::async_read(*stream, buffer, parser, use_tuple);
    if (read_error) {
      if (reused && read_error != beast::error::timeout) continue;
      log::names()->debug("etcd {} {}: {}", authority(endpoint), path, read_error.message());
      co_return std::nullopt;
    }
    auto response = parser.release();
    EtcdAnswer answer{response.result_int(), {}};
    error_code parse_error;
    answer.body = json::parse(response.body(), parse_error);
    if (parse_error) co_return std::nullopt;
    if (response.keep_alive() && idle_.size() < kMaxIdle) {
      stream->expires_never();
      idle_.push_back({endpoint, std::move(stream)});
    }
    co_return answer;
  }
  co_return std::nullopt;
}

asio::awaitable<result<EtcdAnswer>> EtcdGateway::call(std::string path, json::value body) {
  const auto text = json::serialize(body);
  const auto deadline = SteadyClock::now() + options_.call_timeout;
  for (std::size_t tried = 1;; ++tried) {
    const auto endpoint = current_;
    auto attempting = attempt(endpoint, path, text);
    auto answer = co_await std::move(attempting);
    if (answer && answer->status < 500) co_return std::move(*answer);
    if (answer)
      log::names()->debug("etcd {} {}: HTTP {} {}", authority(endpoint), path, answer->status,
                          json::serialize(answer->body));
    failed(endpoint);
    if (SteadyClock::now() >= deadline) co_return name_error::store_unavailable;
    // Every endpoint failed once: an election may be under way; pause.
    if (tried % endpoints_.size() == 0) {
      asio::steady_timer pause(executor_, kRoundPause);
      co_await pause.async_wait(use_tuple);
    }
  }
}

std::string etcd_base64(std::string_view bytes) {
  constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.pop_back();  // the terminating NUL sodium writes
  return out;
}

std::optional<std::string> etcd_unbase64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t n = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(n);
  return out;
}

std::string etcd_prefix_end(std::string prefix) {
  // The next key after every key that begins with `prefix`: its last byte
  // below 0xff raised by one (etcd's own rule, clientv3.GetPrefixRangeEnd).
  while (!prefix.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(prefix.back());
    if (last < 0xff) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::int64_t etcd_number(const json::value* value) {
  if (!value) return 0;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->as_uint64());
  if (!value->is_string()) return 0;
  std::int64_t number = 0;
  const auto& text = value->as_string();
  std::from_chars(text.data(), text.data() + text.size(), number);
  return number;
}

}  // namespace msocket::names
