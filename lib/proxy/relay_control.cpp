// The relay's control channels: a server proves it owns a name, holds a
// reservation for it, renews it, and hears of flows and drains.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/write.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "names/name_error.hpp"
#include "proxy/message_io.hpp"
#include "relay_state.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {
constexpr auto kWriteTimeout = std::chrono::seconds(10);

std::uint32_t seconds_of(Duration d) {
  return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(d).count());
}
}  // namespace

asio::awaitable<void> Relay::run_control(tcp::socket socket, asio::ip::address source,
                                         std::function<void()> handshake_done) {
  const auto nonce = random_nonce();
  const auto& limits = config_.limits;
  if (co_await write_message(socket, Challenge{nonce, seconds_of(limits.ttl), static_cast<std::uint32_t>(limits.flows_per_reservation)},
                             limits.handshake_timeout))
    co_return;
  auto answer = co_await read_message(socket, limits.handshake_timeout);
  const auto* reserve = answer ? std::get_if<Reserve>(&*answer) : nullptr;
  if (!reserve) {
    log::proxy()->debug("control channel from {} ended before reserving", source.to_string());
    co_return;
  }
  auto refusal = co_await check_reserve(*reserve, nonce, source);
  std::shared_ptr<Reservation> reservation;
  auto control = std::make_shared<ControlChannel>(std::move(socket), source);
  if (!refusal && !closed_) {
    auto taken = take_reservation(*reserve, control);
    if (auto* r = std::get_if<Refused>(&taken)) refusal = *r;
    else reservation = std::get<std::shared_ptr<Reservation>>(taken);
  }
  handshake_done();
  if (closed_) co_return;
  if (refusal) {
    refuse(refusal->reason);
    log::proxy()->info("refused to reserve {} for {}: {} ({})", reserve->name, source.to_string(),
                       to_string(refusal->reason), refusal->message);
    co_await write_message(control->socket, *refusal, kWriteTimeout);
    co_return;
  }
  co_await serve_control(control, reservation);
}

asio::awaitable<std::optional<Refused>> Relay::check_reserve(const Reserve& reserve, const Nonce& nonce,
                                                             const asio::ip::address& source) {
  if (draining_) co_return Refused{Refusal::draining, "this relay is shutting down; reserve elsewhere"};
  if (!verify(reserve, nonce)) co_return Refused{Refusal::malformed, "the signature does not verify"};
  if (!names_) co_return std::nullopt;
  // The name service says who owns the name. If it cannot be asked, the
  // first key to reserve here holds it (take_reservation): a reservation is
  // no use to anyone whose key cannot also publish it in the name's record.
  auto record = co_await names_->lookup(reserve.name);
  if (record && record->owner != reserve.key)
    co_return Refused{Refusal::not_owner, "the name " + reserve.name + " is owned by another key in the name service"};
  if (!record && record.error() != names::name_error::not_found)
    log::proxy()->warn("cannot ask the name service who owns {} ({}); the first key to reserve it here holds it",
                       reserve.name, record.error().message());
  (void)source;
  co_return std::nullopt;
}

std::variant<std::shared_ptr<Relay::Reservation>, Refused> Relay::take_reservation(
    const Reserve& reserve, std::shared_ptr<ControlChannel> control) {
  const auto it = reservations_.find(reserve.name);
  if (it == reservations_.end()) {
    auto made = new_reservation(reserve, control->source);
    if (auto* reservation = std::get_if<std::shared_ptr<Reservation>>(&made)) (*reservation)->control = control;
    return made;
  }
  auto reservation = it->second;
  if (reservation->key != reserve.key)
    return Refused{Refusal::not_owner, "the name " + reserve.name + " is reserved here by another key"};
  // The owner is back, from a new channel: it moved or lost the old one.
  // The flows it joined from there are gone with its old address, so they
  // are closed now and their clients come back at once (they migrate).
  if (reservation->control && reservation->control != control) {
    error_code ignored;
    reservation->control->closed = true;
    reservation->control->socket.close(ignored);
  }
  ++reservation->epoch;
  close_flows_of(*reservation, reservation->epoch);
  if (reservation->source != control->source) {
    reservation->slot.emplace(reservations_by_source_, control->source);
    reservation->source = control->source;
  }
  reservation->control = control;
  log::proxy()->info("{} reserved again from {} (takes over; its earlier flows are closed)", reserve.name,
                     control->source.to_string());
  return reservation;
}

std::variant<std::shared_ptr<Relay::Reservation>, Refused> Relay::new_reservation(const Reserve& reserve,
                                                                                  const asio::ip::address& source) {
  const auto& limits = config_.limits;
  if (reservations_.size() >= limits.max_reservations)
    return Refused{Refusal::full, "this relay holds its maximum of " + std::to_string(limits.max_reservations) +
                                      " reservations"};
  if (count_of(reservations_by_source_, source) >= limits.reservations_per_source)
    return Refused{Refusal::limited, "too many reservations from " + source.to_string()};
  tcp::acceptor acceptor(ex_);
  error_code ec;
  const tcp::endpoint where(config_.listen.address(), 0);
  acceptor.open(where.protocol(), ec);
  if (!ec) set_close_on_exec(acceptor.native_handle());
  if (!ec) acceptor.bind(where, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    log::proxy()->warn("cannot open a port for {}: {}", reserve.name, ec.message());
    return Refused{Refusal::full, "this relay has no port to give: " + ec.message()};
  }
  auto reservation = std::make_shared<Reservation>(reserve.name, reserve.key, std::move(acceptor));
  reservation->address = endpoint_text(tcp::endpoint(config_.public_address, reservation->acceptor.local_endpoint(ec).port()));
  reservation->source = source;
  reservation->slot.emplace(reservations_by_source_, source);
  reservation->expiry.expires_after(limits.ttl);
  reservations_[reserve.name] = reservation;
  asio::co_spawn(ex_, run_public_accept(reservation), LogCoroutineFailure(log::proxy(), "accepting a reservation's clients"));
  asio::co_spawn(ex_, run_expiry(reservation), LogCoroutineFailure(log::proxy(), "expiring a reservation"));
  log::proxy()->info("reserved {} for {} at {}", reserve.name, source.to_string(), reservation->address);
  return reservation;
}

asio::awaitable<void> Relay::serve_control(std::shared_ptr<ControlChannel> control,
                                           std::shared_ptr<Reservation> reservation) {
  auto self = shared_from_this();
  const auto ttl = config_.limits.ttl;
  reservation->expiry.expires_after(ttl);
  send(control, Reserved{reservation->address, seconds_of(ttl)});
  if (draining_) send(control, Drain{});
  for (;;) {
    auto message = co_await read_message(control->socket, ttl);
    if (!message || closed_ || control->closed || reservation->removed) break;
    counters_.bytes_copied += encode(*message).size();
    if (std::holds_alternative<Renew>(*message)) {
      reservation->expiry.expires_after(ttl);
      send(control, Reserved{reservation->address, seconds_of(ttl)});
    }
  }
  // The server is away: the reservation waits for it until it expires.
  if (reservation->control == control) reservation->control.reset();
  control->closed = true;
  error_code ignored;
  control->socket.close(ignored);
  if (!closed_ && !reservation->removed)
    log::proxy()->info("{}: control channel from {} closed; the reservation is kept until it expires",
                       reservation->name, control->source.to_string());
}

asio::awaitable<void> Relay::run_expiry(std::shared_ptr<Reservation> reservation) {
  auto self = shared_from_this();
  while (!reservation->removed && !closed_) {
    auto [ec] = co_await reservation->expiry.async_wait(use_tuple);
    if (reservation->removed || closed_) break;
    if (ec == asio::error::operation_aborted && reservation->expiry.expiry() > asio::steady_timer::clock_type::now())
      continue;  // renewed: wait for the new expiry
    log::proxy()->info("reservation of {} at {} expired", reservation->name, reservation->address);
    remove(*reservation);
  }
}

void Relay::remove(Reservation& reservation) {
  if (reservation.removed) return;
  reservation.removed = true;
  error_code ignored;
  reservation.acceptor.close(ignored);
  reservation.expiry.cancel();
  if (reservation.control) {
    reservation.control->closed = true;
    reservation.control->socket.close(ignored);
    reservation.control.reset();
  }
  reservation.slot.reset();
  reservations_.erase(reservation.name);
}

void Relay::send(const std::shared_ptr<ControlChannel>& control, const Message& message) {
  if (control->closed) return;
  control->outbox.push_back(encode(message));
  counters_.bytes_copied += control->outbox.back().size();
  if (control->writing) return;
  control->writing = true;
  asio::co_spawn(ex_, run_outbox(control), LogCoroutineFailure(log::proxy(), "writing to a control channel"));
}

asio::awaitable<void> Relay::run_outbox(std::shared_ptr<ControlChannel> control) {
  auto self = shared_from_this();
  while (!control->outbox.empty() && !control->closed) {
    const auto bytes = std::move(control->outbox.front());
    control->outbox.pop_front();
    asio::steady_timer deadline(ex_, kWriteTimeout);
    auto writing = asio::async_write(control->socket, asio::buffer(bytes), use_tuple);
    auto expiring = deadline.async_wait(use_tuple);
    auto outcome = co_await first_of(writing, expiring);
    if (outcome.index() == 1 || std::get<0>(std::get<0>(outcome))) {
      control->closed = true;
      error_code ignored;
      control->socket.close(ignored);
    }
  }
  control->outbox.clear();
  control->writing = false;
}

}  // namespace msocket::proxy
