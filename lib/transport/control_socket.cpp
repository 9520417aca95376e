#include "transport/control_socket.hpp"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/query.hpp>

#include "core/close_on_exec.hpp"
#include "core/fd_limit.hpp"
#include "core/log.hpp"
#include "transport/datagram_batch.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

namespace {

// A server that moves with many of our connections sends their RECONNECTs
// at once (about 1 KiB each in the kernel's accounting): hold a thousand.
constexpr int kReceiveBuffer = 2 * 1024 * 1024;
constexpr int kMostPerWakeup = 256;  // then the other completions get their turn

asio::ip::udp::socket open_dual_stack(const asio::any_io_executor& ex, boost::system::error_code& ec) {
  asio::ip::udp::socket control(ex);
  control.open(asio::ip::udp::v6(), ec);
  if (!ec) set_close_on_exec(control.native_handle());
  if (!ec) control.set_option(asio::ip::v6_only(false), ec);
  if (!ec) control.bind(asio::ip::udp::endpoint(asio::ip::udp::v6(), 0), ec);
  if (ec) {  // no IPv6 here
    control.close(ec);
    control.open(asio::ip::udp::v4(), ec);
    if (!ec) set_close_on_exec(control.native_handle());
    if (!ec) control.bind(asio::ip::udp::endpoint(asio::ip::udp::v4(), 0), ec);
  }
  if (!ec) enlarge_receive_buffer(control.native_handle(), kReceiveBuffer);
  if (!ec) control.non_blocking(true, ec);  // drain() reads what is queued without waiting
  return control;
}

}  // namespace

ControlSocket& ControlSocket::of(const asio::any_io_executor& ex) {
  return asio::use_service<ControlSocket>(asio::query(ex, asio::execution::context));
}

std::unique_ptr<ControlSocket::Lease> ControlSocket::open(const asio::any_io_executor& ex) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return nullptr;
  boost::system::error_code ec;
  if (!socket_) {
    // The first client connection of the process: a process that opens
    // thousands of them needs a descriptor each, far more than the usual
    // soft limit (1024), so raise it to the hard limit as a listener does
    // (Listener::open); only a privileged process could go past that.
    static std::once_flag raised;
    std::call_once(raised, [] { (void)raise_fd_limit(fd_limits().hard); });
    auto opened = open_dual_stack(ex, ec);
    if (ec) {
      log::transport()->debug("no control socket: {}", ec.message());
      return nullptr;  // tried again by the next connection
    }
    socket_.emplace(std::move(opened));
    ++generation_;
    receive();
  }
  const auto port = socket_->local_endpoint(ec).port();
  ++leases_;
  return std::make_unique<Lease>(*this, port);
}

void ControlSocket::release() {
  std::lock_guard lock(mutex_);
  if (leases_ == 0 || --leases_ > 0 || !socket_) return;
  boost::system::error_code ignored;
  socket_->close(ignored);  // its receive completes with operation_aborted
  socket_.reset();
}

bool ControlSocket::listen_for(ConnId conn, Handler handler) {
  std::lock_guard lock(mutex_);
  return handlers_.emplace(to_int(conn), std::move(handler)).second;
}

void ControlSocket::forget(ConnId conn) {
  Handler doomed;  // destroyed unlocked
  std::lock_guard lock(mutex_);
  if (const auto it = handlers_.find(to_int(conn)); it != handlers_.end()) {
    doomed = std::move(it->second);
    handlers_.erase(it);
  }
}

void ControlSocket::send_to(std::span<const std::byte> datagram, const asio::ip::udp::endpoint& to) {
  std::lock_guard lock(mutex_);
  if (!socket_) return;
  boost::system::error_code ignored;
  socket_->send_to(asio::buffer(datagram.data(), datagram.size()), to, 0, ignored);
}

std::size_t ControlSocket::listeners() const {
  std::lock_guard lock(mutex_);
  return handlers_.size();
}

void ControlSocket::shutdown() {
  std::unordered_map<std::uint64_t, Handler> doomed;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    doomed.swap(handlers_);
    socket_.reset();  // while the socket's own service still exists
  }
}

// Called with the lock held (open) or from the receive handler.
void ControlSocket::receive() {
  socket_->async_receive_from(asio::buffer(buffer_), from_,
                              [this, generation = generation_](const boost::system::error_code& ec, std::size_t n) {
                                {
                                  std::lock_guard lock(mutex_);
                                  if (shut_down_ || generation != generation_ || !socket_) return;
                                }
                                if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) return;
                                if (!ec) {
                                  deliver(n);
                                  drain();
                                }
                                std::lock_guard lock(mutex_);
                                // Other errors: an ICMP error for an earlier ack.
                                if (!shut_down_ && socket_ && generation == generation_) receive();
                              });
}

// A server that moved with many of our connections sends their
// RECONNECTs at once: read what is queued now, up to a bound, rather than
// one datagram per turn of the event loop, so the acks go back (and the
// server stops sending again) before the queue overflows. Called from the
// receive handler, with no receive pending.
void ControlSocket::drain() {
  for (int i = 0; i < kMostPerWakeup; ++i) {
    boost::system::error_code ec;
    std::size_t n = 0;
    {
      std::lock_guard lock(mutex_);
      if (shut_down_ || !socket_) return;
      n = socket_->receive_from(asio::buffer(buffer_), from_, 0, ec);
    }
    if (ec == asio::error::would_block || ec == asio::error::try_again) return;
    if (!ec) deliver(n);  // other errors: an ICMP error for an earlier ack
  }
}

void ControlSocket::deliver(std::size_t size) {
  const std::span<const std::byte> datagram(buffer_.data(), size);
  const auto frame = wire::decode_reconnect(datagram);
  Handler handler;
  {
    std::lock_guard lock(mutex_);
    if (frame && !frame->is_ack)
      if (const auto it = handlers_.find(frame->conn_id); it != handlers_.end()) handler = it->second;
  }
  if (!handler) {
    log::transport()->debug("ignored a control datagram from {}: {}", from_.address().to_string(),
                            !frame ? frame.error().message() : "not a RECONNECT for a connection here");
    return;
  }
  handler(datagram, from_);  // unlocked: it answers with send_to
}

}  // namespace msocket::transport
