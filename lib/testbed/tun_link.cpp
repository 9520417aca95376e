#include "testbed/tun_link.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/assert.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"

extern char** environ;

namespace msocket::testbed {
namespace {

namespace asio = boost::asio;

// Largest packet a TUN device hands us (an IPv4 datagram's limit).
constexpr std::size_t kMaxPacket = 65535;

std::system_error errno_error(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

// Opens a new TUN device named `name`; returns its file descriptor.
int open_tun(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "device name '" + name + "' must have 1 to 15 characters");
  const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) throw errno_error("open /dev/net/tun");
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::memcpy(request.ifr_name, name.data(), name.size());
  if (::ioctl(fd, TUNSETIFF, &request) < 0) {
    auto error = errno_error("TUNSETIFF " + name);
    ::close(fd);
    throw error;
  }
  return fd;
}

// Runs `ip ARGS...` (no shell) and waits for it; throws unless it exits 0.
// Its own error message goes to our stderr.
void run_ip(std::vector<std::string> args) {
  args.insert(args.begin(), "ip");
  std::string command;
  std::vector<char*> argv;
  for (auto& a : args) {
    command += (command.empty() ? "" : " ") + a;
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int e = ::posix_spawnp(&pid, "ip", nullptr, nullptr, argv.data(), environ); e != 0)
    throw std::system_error(e, std::generic_category(), "cannot run '" + command + "'");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw errno_error("waitpid for '" + command + "'");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("'" + command + "' failed" +
                             (WIFEXITED(status) ? " with status " + std::to_string(WEXITSTATUS(status)) : ""));
  log::tool()->debug("ran '{}'", command);
}

// Moves the device into its namespace and gives it its address.
void configure(const LinkEnd& end, const std::string& peer, unsigned mtu) {
  run_ip({"link", "set", end.device, "netns", end.netns});
  run_ip({"-n", end.netns, "addr", "add", end.address, "peer", peer, "dev", end.device});
  // No IPv6 link-local address: its router and multicast-listener chatter
  // would share the emulated link with the traffic being measured. A step of
  // its own: given with "up", it would come too late.
  run_ip({"-n", end.netns, "link", "set", end.device, "addrgenmode", "none"});
  run_ip({"-n", end.netns, "link", "set", end.device, "mtu", std::to_string(mtu), "up"});
}

}  // namespace

std::string default_device_name(char end) {
  return "mb" + std::to_string(::getpid()) + end;
}

TunLink::Direction::Direction(const char* name_, asio::posix::stream_descriptor& in_,
                              asio::posix::stream_descriptor& out_, const LinkConfig& config,
                              const asio::any_io_executor& executor)
    : name(name_), in(in_), out(out_), model(config), wake(executor) {}

TunLink::TunLink(asio::any_io_executor executor, const TunLinkConfig& config)
    : device_a_(executor, open_tun(config.a.device)),
      device_b_(executor, open_tun(config.b.device)),
      forward_("a->b", device_a_, device_b_, config.a_to_b, executor),
      backward_("b->a", device_b_, device_a_, config.b_to_a, executor) {
  configure(config.a, config.b.address, config.mtu);
  configure(config.b, config.a.address, config.mtu);
}

TunLink::~TunLink() { stop(); }

void TunLink::stop() {
  stopping_ = true;
  boost::system::error_code ignored;
  device_a_.close(ignored);
  device_b_.close(ignored);
  forward_.wake.cancel();
  backward_.wake.cancel();
}

asio::awaitable<void> TunLink::run() {
  auto forward_in = read_loop(forward_);
  auto forward_out = write_loop(forward_);
  auto backward_in = read_loop(backward_);
  auto backward_out = write_loop(backward_);
  co_await all_of(forward_in, forward_out, backward_in, backward_out);
}

// Reads one packet per read (a TUN device never merges them), runs it through
// the model and queues it; wakes the writer if it was idle.
asio::awaitable<void> TunLink::read_loop(Direction& d) {
  std::vector<std::byte> buffer(kMaxPacket);
  while (!stopping_) {
    auto [ec, n] = co_await d.in.async_read_some(asio::buffer(buffer), use_tuple);
    if (ec) {
      if (!stopping_) log::tool()->error("{}: read: {}", d.name, ec.message());
      stop();
      co_return;
    }
    const auto departure = d.model.on_packet(Clock::now(), n);
    if (!departure) {
      SPDLOG_LOGGER_TRACE(log::tool(), "{}: dropped len={}", d.name, n);
      continue;
    }
    BOOST_ASSERT(d.queue.empty() || d.queue.back().departure <= *departure);
    const bool was_idle = d.queue.empty();
    d.queue.push_back({*departure, {buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n)}});
    if (was_idle) d.wake.cancel();
  }
}

// Waits for the departure time of the oldest packet, then writes it out.
// Writing does not wait for the next packet's time, so a late wake-up delays
// one packet, never the whole link's rate.
asio::awaitable<void> TunLink::write_loop(Direction& d) {
  while (!stopping_) {
    if (d.queue.empty() || d.queue.front().departure > Clock::now()) {
      d.wake.expires_at(d.queue.empty() ? TimePoint::max() : d.queue.front().departure);
      co_await d.wake.async_wait(use_tuple);  // cancelled: a packet came or stop()
      continue;
    }
    Packet packet = std::move(d.queue.front());
    d.queue.pop_front();
    auto [ec, n] = co_await d.out.async_write_some(asio::buffer(packet.bytes), use_tuple);
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor || stopping_) co_return;
    if (ec) {
      // E.g. EIO while the far device is down: the packet is lost, as on a
      // real link; the link itself goes on.
      if (d.write_errors++ == 0) log::tool()->warn("{}: write: {} (packet lost)", d.name, ec.message());
      continue;
    }
    SPDLOG_LOGGER_TRACE(log::tool(), "{}: sent len={}", d.name, n);
  }
}

}  // namespace msocket::testbed
