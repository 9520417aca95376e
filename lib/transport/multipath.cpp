// Multipath, client side (paper §III-C, §IV-C): besides the first flowpath,
// one flowpath from each extra local address (-s given again) or from every
// usable address (--paths all), each bound to its interface and joined with
// an authenticated ADD_PATH. Each follows its own address: it closes when
// the address goes, and is added again when it comes back, while the
// connection goes on over the others.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/local_addresses.hpp"
#include "transport/connection.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"

namespace msocket::transport {

namespace {
bool usable(const asio::ip::address& a, const tcp::endpoint& remote) {
  if (a.is_v4() != remote.address().is_v4() || a.is_unspecified()) return false;
  if (a.is_loopback() != remote.address().is_loopback()) return false;
  return !(a.is_v6() && (a.to_v6().is_link_local() || a.to_v6().is_v4_mapped()));
}
}  // namespace

bool Connection::wants_extra_path(const asio::ip::address& local) const {
  if (!remote_ || finished_ || session_.done() || (session_.write_closed() && session_.read_eof())) return false;
  if (adding_.count(local)) return false;
  for (const auto& [id, path] : flowpaths_)
    if (path->local.address() == local) return false;  // already carries one
  for (std::size_t i = 0; i < options_.extra_sources.size(); ++i)
    if (options_.extra_sources[i] == local) return true;
  return options_.all_paths && usable(local, *remote_);
}

void Connection::open_extra_paths() {
  if (options_.extra_sources.size() == 0 && !options_.all_paths) return;
  for (const auto& local : paths::list_local_addresses()) consider_extra_path(local.address);
}

void Connection::consider_extra_path(const asio::ip::address& local) {
  if (!wants_extra_path(local)) return;
  PathId id;
  if (auto known = extra_paths_.find(local); known != extra_paths_.end()) {
    id = known->second;  // the same path again, from the same address
  } else {
    id = PathId{next_path_id_++};
    extra_paths_[local] = id;
  }
  adding_[local] = std::make_shared<PathAttempt>(ex_);
  asio::co_spawn(ex_, add_path_from(local, id), log_coroutine_exception);
}

void Connection::retry_extra_paths_now() {
  // An attempt made before the route existed fails only after the kernel's
  // ARP timeout: start it over now.
  for (auto& [local, attempt] : adding_) {
    attempt->again = true;
    attempt->deadline.cancel();
  }
  open_extra_paths();
}

asio::awaitable<void> Connection::add_path_from(asio::ip::address local, PathId id) {
  auto self = shared_from_this();
  // This attempt's entry in adding_ (a re-homed flowpath, opened from an
  // address that already carries one, has none).
  auto found = adding_.find(local);
  auto attempt = found != adding_.end() ? found->second : std::make_shared<PathAttempt>(ex_);
  struct Done {  // the attempt is over, however the coroutine ends
    Connection& c;
    asio::ip::address a;
    std::shared_ptr<PathAttempt> mine;
    ~Done() {
      if (auto it = c.adding_.find(a); it != c.adding_.end() && it->second == mine) c.adding_.erase(it);
    }
  } done{*this, local, attempt};
  if (!remote_) co_return;
  // The peer's addresses in the order that suits `local` (§2.8); each but the
  // last is tried for at most a retry interval (at least a second).
  const auto remotes = remotes_for(local);
  tcp::endpoint remote;
  result<tcp::socket> socket = asio::error::host_unreachable;
  for (std::size_t i = 0; i < remotes.size() && !socket && !attempt->again; ++i) {
    remote = remotes[i];
    const bool last = i + 1 == remotes.size();
    attempt->deadline.expires_after(last ? options_.connect_timeout : attempt_timeout());
    socket = co_await connect_socket(remote, local, attempt->deadline);
    if (finished_) co_return;
    if (!socket) log::transport()->debug("conn={} no flowpath from {} to {}: {}", to_hex(id_), local.to_string(),
                                         to_string(remote), socket.error().message());
  }
  if (!socket) {
    log::transport()->info("conn={} no flowpath from {}{}", to_hex(id_), local.to_string(),
                           attempt->again ? " yet: trying again" : ": " + socket.error().message());
    // Again at once if a route came meanwhile, else a retry interval later,
    // while the address is there.
    if (auto it = adding_.find(local); it != adding_.end() && it->second == attempt) adding_.erase(it);
    if (!attempt->again) {
      asio::steady_timer later(ex_, options_.retry_max);
      co_await later.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    if (!finished_ && paths::is_local_address(local)) consider_extra_path(local);
    co_return;
  }
  const auto priority = path_priority(options_, local);
  const auto request = path_request(wire::SetupKind::add_path, id, priority);
  if (auto ec = co_await write_frame(*socket, wire::SetupFrame{request})) co_return;
  auto reply = co_await read_setup(*socket, options_.handshake_timeout);
  if (finished_) co_return;
  const auto* answer = reply ? std::get_if<wire::SetupAckFrame>(&*reply) : nullptr;
  if (!answer || !accepts(request, *answer)) {
    log::transport()->info("conn={} ADD_PATH from {} refused or not authentic", to_hex(id_), local.to_string());
    co_return;
  }
  attach_path(id, std::move(*socket), answer->ack, answer->window, priority);
  if (auto it = flowpaths_.find(id); it != flowpaths_.end()) {
    log::transport()->info("conn={} path={} added from {} to {}", to_hex(id_), to_int(id),
                           it->second->local_text, to_string(remote));
  }
}

void Connection::retire_path_stats(PathId id) {
  auto it = session_.paths().find(id);
  if (it == session_.paths().end()) return;
  auto& total = path_history_[id];
  total.path = id;
  total.bytes_sent += it->second.bytes_sent;
  total.bytes_received += it->second.bytes_received;
  if (it->second.srtt) total.rtt_ms = std::chrono::duration<double, std::milli>(*it->second.srtt).count();
}

}  // namespace msocket::transport
