#include "proxy/relay_agent.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "proxy/message_io.hpp"
#include "proxy/proxy_error.hpp"
#include "proxy/reservation_request.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// "HOST:PORT" or "[V6]:PORT" split in two; nullopt if it is neither.
std::optional<std::pair<std::string, std::string>> split_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  auto host = text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, text.substr(colon + 1));
}

// A control channel that lasted this long may be reopened without a pause.
constexpr auto kLongEnough = std::chrono::seconds(1);

bool mendable(const error_code& ec) { return ec != proxy_error::not_owner && ec != proxy_error::refused_malformed; }

}  // namespace

namespace {

// Resolves `relay` ("HOST:PORT") and connects `socket` to it within
// `timeout`; the endpoint it reached, or the error (bad_relay_address,
// the resolver's, the socket's, timed_out).
asio::awaitable<result<tcp::endpoint>> dial_relay(tcp::socket& socket, const std::string& relay, Duration timeout) {
  const auto parts = split_host_port(relay);
  if (!parts) co_return error_code(proxy_error::bad_relay_address);
  tcp::resolver resolver(socket.get_executor());
  auto [rec, endpoints] = co_await resolver.async_resolve(parts->first, parts->second, use_tuple);
  if (rec) co_return rec;
  asio::steady_timer deadline(socket.get_executor(), timeout);
  auto connecting = asio::async_connect(socket, endpoints, use_tuple);
  auto expiring = deadline.async_wait(use_tuple);
  auto outcome = co_await first_of(connecting, expiring);
  if (outcome.index() == 1) co_return error_code(asio::error::timed_out);
  const auto [ec, endpoint] = std::get<0>(outcome);
  if (ec) co_return ec;
  co_return endpoint;
}

}  // namespace

asio::awaitable<bool> probe_relay(asio::any_io_executor ex, const std::string& relay, Duration timeout) {
  tcp::socket socket(ex);
  co_return (co_await dial_relay(socket, relay, timeout)).has_value();
}

RelayAgent::RelayAgent(asio::any_io_executor ex, std::string relay, std::string name, names::SigningKey key,
                       FlowpathHandler on_flowpath, ChangeHandler on_change, AgentSettings settings)
    : ex_(ex),
      relay_(std::move(relay)),
      name_(std::move(name)),
      key_(key),
      on_flowpath_(std::move(on_flowpath)),
      on_change_(std::move(on_change)),
      settings_(settings),
      retry_(ex),
      renew_(ex) {}

RelayAgent::~RelayAgent() = default;

void RelayAgent::start() {
  asio::co_spawn(ex_, run(), LogCoroutineFailure(log::proxy(), "keeping a reservation on a relay"));
}

void RelayAgent::stop() {
  stopped_ = true;
  retry_.cancel();
  renew_.cancel();
  error_code ignored;
  if (control_) control_->close(ignored);
}

void RelayAgent::network_changed() {
  if (stopped_ || given_up_) return;
  retry_now_ = true;
  retry_.cancel();
  error_code ignored;
  if (control_) control_->close(ignored);
}

bool RelayAgent::leaves_from(const asio::ip::address& address) const {
  if (!control_) return false;
  error_code ec;
  const auto local = control_->local_endpoint(ec);
  return ec || local.address() == address;
}

std::optional<std::string> RelayAgent::address() const {
  if (draining_) return std::nullopt;
  return address_;
}

void RelayAgent::notify() {
  if (on_change_ && !stopped_) on_change_();
}

void RelayAgent::set_failure(error_code ec) {
  failure_ = ec;
  settled_ = true;
  notify();
}

asio::awaitable<void> RelayAgent::run() {
  auto self = shared_from_this();
  Duration retry = settings_.first_retry;
  Duration ttl_granted = std::chrono::seconds(30);
  std::optional<TimePoint> lost_since;  // the control channel is down since
  while (!stopped_) {
    retry_now_ = false;
    // Shared with the renewals, which may wake after this round is over.
    auto socket = std::make_shared<tcp::socket>(ex_);
    Duration ttl{};
    auto ec = co_await connect(*socket);
    if (!ec) ec = co_await reserve(*socket, ttl);
    if (stopped_) break;
    if (!ec) {
      retry = settings_.first_retry;
      ttl_granted = ttl;
      lost_since.reset();
      control_ = socket.get();
      const auto served_since = Clock::now();
      co_await serve(socket, ttl);
      control_ = nullptr;
      if (stopped_) break;
      log::proxy()->info("control channel to relay {} closed; opening it again", relay_);
      lost_since = Clock::now();
      // A channel that served a while is opened again at once (a relay that
      // died is then known gone in one round trip); one that closes as soon
      // as it is open backs off, so a relay doing that costs no busy loop.
      if (retry_now_ || *lost_since - served_since > kLongEnough) continue;
    } else {
      log::proxy()->warn("cannot reserve {} on relay {}: {}", name_, relay_, ec.message());
      set_failure(ec);
      if (!mendable(ec)) {
        given_up_ = true;
        address_.reset();
        notify();
        break;
      }
      // A relay that is full, limits us or drains will not change its mind
      // soon; one out of reach longer than the reservation lives, or gone,
      // has let it go. Either way clients must not be sent there.
      // A relay that refuses the connection outright has no process
      // listening: its reservations went with it.
      const bool expired = lost_since && (Clock::now() - *lost_since > ttl_granted ||
                                          ec == asio::error::connection_refused);
      if (ec.category() == proxy_category() || expired) {
        address_.reset();
        notify();
        retry = settings_.longest_retry;
      }
    }
    if (retry_now_) continue;
    retry_.expires_after(retry);
    co_await retry_.async_wait(use_tuple);
    retry = std::min(retry * 2, settings_.longest_retry);
  }
}

asio::awaitable<error_code> RelayAgent::connect(tcp::socket& socket) {
  auto endpoint = co_await dial_relay(socket, relay_, settings_.connect_timeout);
  if (!endpoint) co_return endpoint.error();
  set_close_on_exec(socket.native_handle());
  relay_endpoint_ = *endpoint;
  co_return error_code{};
}

asio::awaitable<error_code> RelayAgent::reserve(tcp::socket& socket, Duration& ttl) {
  auto answer = co_await request_reservation(socket, name_, key_, settings_.answer_timeout);
  if (!answer) co_return answer.error();
  if (const auto* refused = std::get_if<Refused>(&*answer)) {
    log::proxy()->warn("relay {} refused {}: {}", relay_, name_, refused->message);
    co_return error_of(refused->reason);
  }
  const auto& reserved = std::get<Reserved>(*answer);
  ttl = reservation_ttl(reserved);
  const bool changed = address_ != reserved.address || failure_ || !settled_;
  address_ = reserved.address;
  draining_ = false;
  failure_ = {};
  settled_ = true;
  log::proxy()->info("reserved {} on relay {}: clients reach it at {}", name_, relay_, reserved.address);
  if (changed) notify();
  co_return error_code{};
}

asio::awaitable<void> RelayAgent::serve(std::shared_ptr<tcp::socket> socket, Duration ttl) {
  auto self = shared_from_this();
  asio::co_spawn(ex_, run_renewals(socket, ttl / 3), LogCoroutineFailure(log::proxy(), "renewing a reservation"));
  for (;;) {
    // The relay answers each renewal, so a silent relay is a dead one.
    auto message = co_await read_message(*socket, ttl);
    if (!message || stopped_) break;
    if (const auto* open = std::get_if<Open>(&*message)) {
      asio::co_spawn(ex_, open_half(*open), LogCoroutineFailure(log::proxy(), "opening a flow's half"));
    } else if (const auto* reserved = std::get_if<Reserved>(&*message)) {
      if (address_ != reserved->address) {
        address_ = reserved->address;
        notify();
      }
    } else if (std::holds_alternative<Drain>(*message)) {
      log::proxy()->info("relay {} is draining: {} moves elsewhere", relay_, name_);
      draining_ = true;
      notify();
    }
  }
  error_code ignored;
  socket->close(ignored);
}

asio::awaitable<void> RelayAgent::run_renewals(std::shared_ptr<tcp::socket> socket, Duration every) {
  auto self = shared_from_this();
  while (socket->is_open() && !stopped_) {
    renew_.expires_after(every);
    co_await renew_.async_wait(use_tuple);
    if (!socket->is_open() || stopped_) break;
    if (co_await write_message(*socket, Renew{}, settings_.answer_timeout)) break;
  }
}

asio::awaitable<void> RelayAgent::open_half(Open open) {
  auto self = shared_from_this();
  if (!relay_endpoint_) co_return;
  tcp::socket socket(ex_);
  asio::steady_timer deadline(ex_, settings_.connect_timeout);
  auto connecting = socket.async_connect(*relay_endpoint_, use_tuple);
  auto expiring = deadline.async_wait(use_tuple);
  auto outcome = co_await first_of(connecting, expiring);
  if (outcome.index() == 1 || std::get<0>(std::get<0>(outcome))) {
    log::proxy()->info("cannot open the half of flow {} on relay {}", open.flow, relay_);
    co_return;
  }
  set_close_on_exec(socket.native_handle());
  if (co_await write_message(socket, Join{open.flow, open.token}, settings_.answer_timeout)) co_return;
  if (stopped_) co_return;
  error_code ec;
  auto client = asio::ip::make_address(open.client.substr(0, open.client.rfind(':')), ec);
  if (ec) {
    // "[v6]:port" or a relay that said something else: the relay's address
    // stands in for the client's.
    auto trimmed = open.client.substr(0, open.client.rfind(':'));
    if (trimmed.size() > 2 && trimmed.front() == '[') client = asio::ip::make_address(trimmed.substr(1, trimmed.size() - 2), ec);
    if (ec) client = relay_endpoint_->address();
  }
  on_flowpath_(std::move(socket), client);
}

}  // namespace msocket::proxy
