// The relay's flows: a client's flowpath arrives on a reservation's port,
// the server is told (Open) and dials back (Join), and the two halves are
// spliced until both end.
#include <boost/asio/co_spawn.hpp>
#include <sodium.h>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "relay_state.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

asio::awaitable<void> Relay::run_public_accept(std::shared_ptr<Reservation> reservation) {
  auto self = shared_from_this();
  const auto& limits = config_.limits;
  while (!reservation->removed && !closed_) {
    auto [ec, client] = co_await reservation->acceptor.async_accept(use_tuple);
    if (reservation->removed || closed_ || ec == asio::error::operation_aborted) break;
    if (ec) {
      asio::steady_timer pause(ex_, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    set_close_on_exec(client.native_handle());
    error_code peer_ec;
    const auto peer = client.remote_endpoint(peer_ec);
    if (peer_ec) continue;
    const auto source = source_address(peer.address());
    // No server to open the other half: the client's socket closes, and it
    // tries again (or another address of the name).
    if (!reservation->control) continue;
    if (waiting_.size() + flows_.size() >= limits.max_flows || reservation->flows >= limits.flows_per_reservation) {
      refuse(Refusal::full);
      continue;
    }
    if (count_of(waiting_by_source_, source) >= limits.waiting_per_source) {
      refuse(Refusal::limited);
      continue;
    }
    auto flow = std::make_shared<WaitingFlow>(std::move(client), source);
    flow->id = next_flow_++;
    flow->token = random_token();
    flow->epoch = reservation->epoch;
    flow->reservation = reservation;
    flow->slot.emplace(waiting_by_source_, source);
    waiting_[flow->id] = flow;
    ++reservation->flows;
    send(reservation->control, Open{flow->id, flow->token, endpoint_text(peer)});
    asio::co_spawn(ex_, wait_for_join(reservation, flow), LogCoroutineFailure(log::proxy(), "waiting for a server half"));
  }
}

// A client's half whose server half does not come in time is closed, so
// that half-open flows cannot pile up.
asio::awaitable<void> Relay::wait_for_join(std::shared_ptr<Reservation> reservation, std::shared_ptr<WaitingFlow> flow) {
  auto self = shared_from_this();
  flow->timer.expires_after(config_.limits.join_timeout);
  co_await flow->timer.async_wait(use_tuple);
  if (flow->joined) co_return;
  if (auto it = waiting_.find(flow->id); it != waiting_.end() && it->second == flow) waiting_.erase(it);
  --reservation->flows;
  ++counters_.unjoined;
  error_code ignored;
  flow->client.close(ignored);
  if (!closed_) log::proxy()->info("{}: flow {} from {} closed, the server did not open its half in time", reservation->name,
                                   flow->id, flow->source.to_string());
}

asio::awaitable<void> Relay::run_join(tcp::socket socket, const Join& join) {
  auto self = shared_from_this();
  const auto it = waiting_.find(join.flow);
  if (it == waiting_.end() || sodium_memcmp(it->second->token.data(), join.token.data(), kTokenSize) != 0) {
    log::proxy()->info("refused a server half for flow {}: no such flow waits, or the token is wrong", join.flow);
    co_return;
  }
  auto waiting = it->second;
  waiting_.erase(it);
  waiting->joined = true;
  waiting->timer.cancel();
  set_close_on_exec(socket.native_handle());
  auto flow = std::make_shared<Flow>(std::move(waiting->client), std::move(socket));
  flow->reservation = waiting->reservation;
  flow->epoch = waiting->epoch;
  waiting.reset();  // gives back the client's waiting slot
  flows_[join.flow] = flow;
  ++counters_.flows_total;
  const auto reservation = flow->reservation.lock();
  log::proxy()->debug("{}: flow {} spliced", reservation ? reservation->name : "?", join.flow);
  const auto totals = co_await splice_both(flow->client, flow->server, config_.limits.splice,
                                           [this](std::size_t n) { counters_.bytes_spliced += n; });
  flows_.erase(join.flow);
  if (reservation) --reservation->flows;
  log::proxy()->debug("flow {} ended{}: {} bytes to the server, {} to the client", join.flow,
                      totals.clean ? "" : " (aborted)", totals.a_to_b, totals.b_to_a);
}

void Relay::close_flows_of(const Reservation& reservation, std::uint64_t before_epoch) {
  error_code ignored;
  for (auto& [id, flow] : flows_) {
    if (flow->epoch >= before_epoch || flow->reservation.lock().get() != &reservation) continue;
    flow->client.close(ignored);
    flow->server.close(ignored);
  }
  for (auto& [id, flow] : waiting_)
    if (flow->epoch < before_epoch && flow->reservation.lock().get() == &reservation) flow->timer.cancel();
}

}  // namespace msocket::proxy
