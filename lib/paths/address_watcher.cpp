#include "paths/address_watcher.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>
#include <unordered_map>

#include <boost/asio/error.hpp>
#include <boost/asio/generic/raw_protocol.hpp>

#include "core/close_on_exec.hpp"
#include "core/log.hpp"

namespace msocket::paths {
namespace {

using boost::asio::generic::raw_protocol;

// Kernel notifications fit in a page (NLMSG_GOODSIZE); a larger buffer costs
// nothing here and guards against a silently truncated datagram.
constexpr std::size_t kReceiveBufferSize = 64 * 1024;
// A burst (an interface with many addresses going away) must not overflow the
// default socket buffer: lost notifications cannot be asked for again.
constexpr int kSocketBufferSize = 1024 * 1024;

std::string_view describe(AddressEventKind kind) {
  switch (kind) {
    case AddressEventKind::address_added: return "address added";
    case AddressEventKind::address_removed: return "address removed";
    case AddressEventKind::link_up: return "link up";
    case AddressEventKind::link_down: return "link down";
    case AddressEventKind::route_added: return "route added";
  }
  return "unknown event";
}

// Only the kernel (port id 0) may tell us about addresses. Sending to these
// groups needs CAP_NET_ADMIN anyway; the check costs nothing.
bool from_kernel(const raw_protocol::endpoint& sender) {
  if (sender.size() < sizeof(sockaddr_nl)) return false;
  sockaddr_nl address;
  std::memcpy(&address, sender.data(), sizeof address);
  return address.nl_family == AF_NETLINK && address.nl_pid == 0;
}

}  // namespace

struct AddressWatcher::State : std::enable_shared_from_this<State> {
  explicit State(boost::asio::any_io_executor ex) : socket(std::move(ex)) {}

  raw_protocol::socket socket;
  std::function<void(const AddressEvent&)> handler;
  std::array<std::byte, kReceiveBufferSize> buffer;
  raw_protocol::endpoint sender;
  // Last reported state per link index, so only changes are logged at info.
  std::unordered_map<unsigned, bool> link_up;
  bool stopped = false;

  boost::system::error_code open();
  void receive();
  void on_receive(const boost::system::error_code& ec, std::size_t size);
  void deliver(std::span<const std::byte> datagram);
  void log_event(const AddressEvent& event);
};

boost::system::error_code AddressWatcher::State::open() {
  boost::system::error_code ec;
  socket.open(raw_protocol(AF_NETLINK, NETLINK_ROUTE), ec);
  if (!ec) set_close_on_exec(socket.native_handle());
  if (ec) return ec;
  boost::system::error_code ignored;  // the default size is only a bit riskier
  socket.set_option(boost::asio::socket_base::receive_buffer_size(kSocketBufferSize), ignored);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE |
                    RTMGRP_IPV6_ROUTE;
  socket.bind(raw_protocol::endpoint(&local, sizeof local, NETLINK_ROUTE), ec);
  return ec;
}

void AddressWatcher::State::receive() {
  socket.async_receive_from(boost::asio::buffer(buffer), sender,
                            [self = shared_from_this()](const boost::system::error_code& ec,
                                                        std::size_t size) {
                              self->on_receive(ec, size);
                            });
}

void AddressWatcher::State::on_receive(const boost::system::error_code& ec, std::size_t size) {
  if (stopped || ec == boost::asio::error::operation_aborted) return;
  if (ec == boost::asio::error::no_buffer_space) {
    log::paths()->warn("address watcher: kernel dropped notifications (socket buffer full)");
  } else if (ec) {
    log::paths()->warn("address watcher stopped: {}", ec.message());
    return;
  } else if (!from_kernel(sender)) {
    log::paths()->debug("address watcher: ignored datagram not from the kernel, bytes={}", size);
  } else {
    deliver(std::span<const std::byte>(buffer).first(size));
  }
  if (!stopped) receive();
}

void AddressWatcher::State::deliver(std::span<const std::byte> datagram) {
  auto events = parse_netlink(datagram);
  if (!events) {
    log::paths()->warn("address watcher: malformed netlink datagram, bytes={}: {}",
                       datagram.size(), events.error().message());
    return;
  }
  log::paths()->debug("netlink datagram bytes={} events={}", datagram.size(), events->size());
  for (auto& event : *events) {
    if (stopped) return;  // stop() from the handler of an earlier event
    if (event.ifname.empty()) {
      char name[IF_NAMESIZE] = {};
      if (if_indextoname(event.ifindex, name) != nullptr) event.ifname = name;
    }
    log_event(event);
    handler(event);
  }
}

void AddressWatcher::State::log_event(const AddressEvent& event) {
  const auto kind = describe(event.kind);
  if (event.kind == AddressEventKind::address_added ||
      event.kind == AddressEventKind::address_removed) {
    log::paths()->info("{} addr={} if={} ifindex={}", kind, event.address.to_string(),
                       event.ifname, event.ifindex);
    return;
  }
  if (event.kind == AddressEventKind::route_added) {
    log::paths()->debug("{} ifindex={}", kind, event.ifindex);
    return;
  }
  const bool up = event.kind == AddressEventKind::link_up;
  const auto [last, inserted] = link_up.try_emplace(event.ifindex, up);
  const bool changed = inserted || last->second != up;
  last->second = up;
  if (changed) {
    log::paths()->info("{} if={} ifindex={}", kind, event.ifname, event.ifindex);
  } else {
    log::paths()->debug("{} (unchanged) if={} ifindex={}", kind, event.ifname, event.ifindex);
  }
  // Forget deleted links so the map stays as small as the interface list.
  char name[IF_NAMESIZE];
  if (!up && if_indextoname(event.ifindex, name) == nullptr) link_up.erase(event.ifindex);
}

AddressWatcher::AddressWatcher(boost::asio::any_io_executor ex) : executor_(std::move(ex)) {}

AddressWatcher::~AddressWatcher() { stop(); }

boost::system::error_code AddressWatcher::start(std::function<void(const AddressEvent&)> handler) {
  if (state_) return boost::asio::error::already_started;
  auto state = std::make_shared<State>(executor_);
  if (auto ec = state->open()) {
    log::paths()->warn("address watcher: cannot open rtnetlink socket: {}", ec.message());
    return ec;
  }
  state->handler = std::move(handler);
  state->receive();
  state_ = std::move(state);
  log::paths()->debug("address watcher started");
  return {};
}

void AddressWatcher::stop() {
  if (!state_) return;
  // The pending receive holds its own reference; it completes with
  // operation_aborted and, seeing `stopped`, ends without calling the handler.
  // The handler itself is not reset here: stop() may run inside it.
  state_->stopped = true;
  boost::system::error_code ignored;
  state_->socket.close(ignored);
  state_.reset();
  log::paths()->debug("address watcher stopped");
}

}  // namespace msocket::paths
