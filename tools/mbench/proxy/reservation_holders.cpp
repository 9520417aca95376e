#include "proxy/reservation_holders.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "names/names_load.hpp"
#include "names/record.hpp"
#include "proxy/message_io.hpp"
#include "proxy/reservation_request.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace msocket::mbench {

namespace {

// Below the relay's 64 reservations per source address.
constexpr unsigned kPerSource = 50;
// Handshakes under way at once, each from a source of its own: one per
// source, below the relay's 16, and a pace the relay keeps up with.
constexpr unsigned kHandshakesAtOnce = 32;
// What a listener's agent gives each message (proxy::AgentSettings).
constexpr auto kAnswerTimeout = std::chrono::seconds(5);

// 127.0.1.1 to 127.0.1.250, then 127.0.2.1 and on: never 127.0.0.x, where
// the relay and the other tools are.
asio::ip::address_v4 source_address(unsigned source) {
  return asio::ip::address_v4({127, 0, static_cast<unsigned char>(1 + source / 250),
                               static_cast<unsigned char>(1 + source % 250)});
}

}  // namespace

struct ReservationHolders::Channel {
  Channel(asio::any_io_executor ex, unsigned index, asio::ip::address_v4 from)
      : socket(ex), renewal(ex), name("idle-" + std::to_string(index) + ".mbench"), source(from) {}
  tcp::socket socket;
  asio::steady_timer renewal;
  std::string name;
  asio::ip::address_v4 source;
};

ReservationHolders::ReservationHolders(asio::any_io_executor ex, tcp::endpoint relay, unsigned count)
    : ex_(ex), relay_(relay), sources_((count + kPerSource - 1) / kPerSource),
      renewals_ended_(ex, asio::steady_timer::time_point::max()) {
  channels_.reserve(count);
  for (unsigned i = 0; i < count; ++i) channels_.push_back(std::make_unique<Channel>(ex, i, source_address(i / kPerSource)));
}

// Channels still open when an error or a signal ends the run are closed
// here; their coroutines go with the io_context.
ReservationHolders::~ReservationHolders() = default;

asio::awaitable<void> ReservationHolders::reserve_all(const std::function<void(unsigned)>& progress) {
  unsigned granted = 0;
  const std::function<void()> granted_one = [&] {
    ++granted;
    if (progress) progress(granted);
  };
  // Worker k takes sources k, k + n, k + 2n...: a source is only ever in
  // one worker's hands, so it never has two handshakes under way.
  std::vector<asio::awaitable<void>> workers;
  for (unsigned k = 0; k < std::min(kHandshakesAtOnce, sources_); ++k)
    workers.push_back(reserve_sources(k, granted_one));
  co_await join_all(std::move(workers));
  if (!failure_.empty()) throw std::runtime_error(failure_);
}

asio::awaitable<void> ReservationHolders::reserve_sources(unsigned first_source, const std::function<void()>& granted_one) {
  const unsigned step = std::min(kHandshakesAtOnce, sources_);
  for (unsigned source = first_source; source < sources_; source += step) {
    const auto end = std::min<std::size_t>(channels_.size(), (source + 1) * std::size_t{kPerSource});
    for (std::size_t i = source * std::size_t{kPerSource}; i < end; ++i) {
      if (!failure_.empty()) co_return;
      if (co_await reserve_one(*channels_[i])) granted_one();
    }
  }
}

asio::awaitable<boost::system::error_code> ReservationHolders::connect(Channel& channel) {
  boost::system::error_code ec;
  channel.socket.open(tcp::v4(), ec);
  if (!ec) set_close_on_exec(channel.socket.native_handle());
  if (!ec) channel.socket.bind(tcp::endpoint(channel.source, 0), ec);
  if (ec) co_return ec;
  asio::steady_timer deadline(ex_, kAnswerTimeout);
  auto connecting = channel.socket.async_connect(relay_, use_tuple);
  auto expiring = deadline.async_wait(use_tuple);
  const auto outcome = co_await first_of(connecting, expiring);
  if (outcome.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(std::get<0>(outcome));
}

asio::awaitable<bool> ReservationHolders::reserve_one(Channel& channel) {
  if (const auto ec = co_await connect(channel)) {
    fail(channel, "cannot connect to the relay: " + ec.message());
    co_return false;
  }
  const auto key = names::generate_signing_key();
  const auto answer = co_await proxy::request_reservation(channel.socket, channel.name, key, kAnswerTimeout);
  if (!answer) {
    fail(channel, "no reservation: " + answer.error().message());
    co_return false;
  }
  if (const auto* refused = std::get_if<proxy::Refused>(&*answer)) {
    fail(channel, std::string("refused (") + proxy::to_string(refused->reason) + "): " + refused->message);
    co_return false;
  }
  if (renewal_interval_ == Duration::zero()) renewal_interval_ = proxy::reservation_ttl(std::get<proxy::Reserved>(*answer)) / 3;
  start_renewing(channel);
  co_return true;
}

void ReservationHolders::start_renewing(Channel& channel) {
  ++renewing_;
  asio::co_spawn(ex_, renew(channel), [this, &channel](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        fail(channel, std::string("renewing: ") + e.what());
      }
    }
    if (--renewing_ == 0) renewals_ended_.cancel();
  });
}

// As a listener's agent: renew every third of the ttl; the relay answers
// each with reserved.
asio::awaitable<void> ReservationHolders::renew(Channel& channel) {
  while (!closing_) {
    channel.renewal.expires_after(renewal_interval_);
    co_await channel.renewal.async_wait(use_tuple);
    if (closing_) break;
    const auto written = co_await proxy::write_message(channel.socket, proxy::Renew{}, kAnswerTimeout);
    if (closing_) break;
    if (written) {
      fail(channel, "a renewal was not sent: " + written.message());
      break;
    }
    const auto answer = co_await proxy::read_message(channel.socket, kAnswerTimeout);
    if (closing_) break;
    if (!answer || !std::holds_alternative<proxy::Reserved>(*answer)) {
      fail(channel, "a renewal was not answered with reserved" + (answer ? std::string() : ": " + answer.error().message()));
      break;
    }
  }
}

asio::awaitable<void> ReservationHolders::hold_for(Duration duration) {
  asio::steady_timer idle(ex_, duration);
  co_await idle.async_wait(use_tuple);
  if (!failure_.empty()) throw std::runtime_error(failure_);
}

asio::awaitable<void> ReservationHolders::close() {
  closing_ = true;
  boost::system::error_code ignored;
  for (auto& channel : channels_) {
    channel->socket.close(ignored);
    channel->renewal.cancel();
  }
  // Woken by cancel() once the last renewal loop has ended.
  if (renewing_ > 0) co_await renewals_ended_.async_wait(use_tuple);
}

void ReservationHolders::fail(const Channel& channel, const std::string& why) {
  if (failure_.empty() && !closing_)
    failure_ = "the reservation of " + channel.name + " from " + channel.source.to_string() + ": " + why;
}

}  // namespace msocket::mbench
