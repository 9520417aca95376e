// The I/O half of the link emulator (mahimahi's mm-link, without its shell):
// two TUN devices, one in each of two network namespaces, joined only by this
// process, which forwards every packet through a LinkModel per direction and
// writes it out when its departure time comes.
//
//   netns A: dev_a (addr_a peer addr_b)  <->  this process  <->  netns B: dev_b
//
// The devices are not persistent: they vanish when the process closes them
// (stop, destruction or exit), which also removes the addresses and routes.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "testbed/link_model.hpp"

namespace msocket::testbed {

// One end of the link.
struct LinkEnd {
  std::string netns;    // an existing named namespace (ip netns add)
  std::string address;  // IPv4 address given to the device, e.g. 10.201.0.1
  std::string device;   // TUN device name (at most 15 characters)
};

struct TunLinkConfig {
  LinkEnd a;
  LinkEnd b;
  LinkConfig a_to_b;  // what A sends: packets read from dev_a, written to dev_b
  LinkConfig b_to_a;
  unsigned mtu = 1500;
};

// "mb<pid>a" and "mb<pid>b": device names unique on this machine while this
// process lives (they are created side by side before being moved).
std::string default_device_name(char end);

class TunLink {
 public:
  // Creates both devices in the current namespace (/dev/net/tun, IFF_TUN |
  // IFF_NO_PI), moves each into its namespace and configures it with ip(8):
  // `addr add ADDR peer PEER`, mtu, no IPv6 link-local address, up. Blocks
  // while ip(8) runs. Throws std::system_error (a system call failed) or
  // std::runtime_error (ip(8) failed), naming the step:
  // set-up failures are local mistakes (no such namespace, not root, an
  // address in use) that the caller can only report, not network events.
  TunLink(boost::asio::any_io_executor executor, const TunLinkConfig& config);
  ~TunLink();
  TunLink(const TunLink&) = delete;
  TunLink& operator=(const TunLink&) = delete;

  // Forwards packets both ways until stop() or a read error on a device.
  // Never throws for I/O errors: it logs them (tool logger) and returns.
  boost::asio::awaitable<void> run();

  // Ends run(): closes both devices (so they vanish) and wakes the writers.
  // Packets still queued are dropped. Idempotent.
  void stop();

  const LinkModel& a_to_b() const { return forward_.model; }
  const LinkModel& b_to_a() const { return backward_.model; }

 private:
  struct Packet {
    TimePoint departure;
    std::vector<std::byte> bytes;
  };
  // One direction: read from `in`, queue by departure time, write to `out`.
  struct Direction {
    Direction(const char* name, boost::asio::posix::stream_descriptor& in,
              boost::asio::posix::stream_descriptor& out, const LinkConfig& config,
              const boost::asio::any_io_executor& executor);
    const char* name;  // "a->b" or "b->a", for the log
    boost::asio::posix::stream_descriptor& in;
    boost::asio::posix::stream_descriptor& out;
    LinkModel model;
    // Departure times never decrease (constant delay, FIFO serialization),
    // so a FIFO is already ordered by departure time.
    std::deque<Packet> queue;
    boost::asio::steady_timer wake;  // the writer waits here for the next departure
    std::uint64_t write_errors = 0;
  };

  boost::asio::awaitable<void> read_loop(Direction& direction);
  boost::asio::awaitable<void> write_loop(Direction& direction);

  boost::asio::posix::stream_descriptor device_a_;
  boost::asio::posix::stream_descriptor device_b_;
  Direction forward_;   // a -> b
  Direction backward_;  // b -> a
  bool stopping_ = false;
};

}  // namespace msocket::testbed
