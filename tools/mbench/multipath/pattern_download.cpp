#include "multipath/pattern_download.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/transfer_ends.hpp"
#include "core/log.hpp"
#include "testbed/child_process.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"
#include "testbed/namespaces.hpp"
#include "testbed/pipes.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kProgressInterval = 500ms;
// The pattern repeats every kPeriod bytes: a prime, so that a chunk that
// arrives shifted by any block size is caught.
constexpr std::size_t kPeriod = 1'048'573;

// kPeriod pseudo-random bytes, then the first kPeriod again, so that any
// window of up to kPeriod bytes from any offset is contiguous.
const std::vector<char>& pattern() {
  static const std::vector<char> bytes = [] {
    std::vector<char> b(2 * kPeriod);
    std::uint64_t state = 0x6d736f636b6574;  // splitmix64
    for (std::size_t i = 0; i < kPeriod; ++i) {
      std::uint64_t z = (state += 0x9e3779b97f4a7c15);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
      z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
      b[i] = b[i + kPeriod] = static_cast<char>(z ^ (z >> 31));
    }
    return b;
  }();
  return bytes;
}

// Feeds the server the pattern and checks what comes out of the client.
class PatternPump {
 public:
  PatternPump(testbed::FileDescriptor& to_server, testbed::FileDescriptor& from_client, std::uint64_t total)
      : to_server_(to_server), from_client_(from_client), total_(total), buffer_(testbed::kPipeBytes) {
    testbed::set_nonblocking(to_server_.get());
    testbed::set_nonblocking(from_client_.get());
  }

  // Waits up to `wait` for either pipe and moves what it can; returns the
  // bytes that arrived, or nullopt once the client's output has ended.
  std::optional<std::uint64_t> move_some(std::chrono::milliseconds wait) {
    pollfd fds[2] = {{from_client_.get(), POLLIN, 0}, {to_server_.get(), POLLOUT, 0}};
    const int ready = ::poll(fds, to_server_.get() >= 0 ? 2 : 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    if (ready > 0 && to_server_.get() >= 0 && fds[1].revents) feed();
    if (ready <= 0 || !fds[0].revents) return 0;
    const auto n = ::read(from_client_.get(), buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return 0;
      throw std::runtime_error(std::string("read: ") + std::strerror(errno));
    }
    if (n == 0) return std::nullopt;
    check(static_cast<std::size_t>(n));
    return static_cast<std::uint64_t>(n);
  }

  std::uint64_t received() const { return received_; }

 private:
  void feed() {
    const auto offset = sent_ % kPeriod;
    const auto length = std::min<std::uint64_t>(kPeriod - offset, total_ - sent_);
    const auto n = ::write(to_server_.get(), pattern().data() + offset, std::min<std::uint64_t>(length, testbed::kPipeBytes));
    if (n < 0 && errno == EPIPE) throw std::runtime_error("the server stopped reading after " + std::to_string(sent_) + " bytes");
    if (n < 0 && errno != EAGAIN) throw std::runtime_error(std::string("write: ") + std::strerror(errno));
    if (n > 0) sent_ += static_cast<std::uint64_t>(n);
    if (sent_ == total_) to_server_.close();  // end of file for the server
  }

  void check(std::size_t n) {
    if (received_ + n > total_)
      throw std::runtime_error("the client wrote more than the " + std::to_string(total_) + " bytes sent");
    const auto offset = received_ % kPeriod;  // n <= kPipeBytes < kPeriod: one compare
    if (std::memcmp(buffer_.data(), pattern().data() + offset, n) != 0) {
      std::size_t at = 0;
      while (buffer_[at] == pattern()[offset + at]) ++at;
      throw std::runtime_error("byte " + std::to_string(received_ + at) + " of the download differs from what was sent");
    }
    received_ += n;
  }

  testbed::FileDescriptor& to_server_;
  testbed::FileDescriptor& from_client_;
  std::uint64_t total_, sent_ = 0, received_ = 0;
  std::vector<char> buffer_;
};

}  // namespace

// One loop that moves the bytes, closes the 100 ms buckets, fires the
// event and watches the deadline: kept in one piece (about 65 lines) because
// they share the same clock readings, and a split would pass a dozen of
// them around.
PatternDownloadResult run_pattern_download(const DownloadTool& tool, const PatternDownloadPlan& plan) {
  const auto server_log = plan.log_dir / "server.log", client_log = plan.log_dir / "client.log";
  auto to_server = testbed::make_pipe();
  testbed::ChildProcess server(testbed::in_namespace(plan.server_namespace, tool.server(plan.server_address)),
                      {to_server->read.get(), -1, server_log});
  to_server->read.close();
  const auto port = testbed::wait_for_listening_port(server_log, server);
  log::tool()->info("{}: server pid={} listening on {}:{}", tool.name, server.pid(), plan.server_address, port);

  auto from_client = testbed::make_pipe();
  const auto before = plan.device_bytes ? plan.device_bytes() : std::array<std::uint64_t, 2>{};
  const auto start = SteadyClock::now();
  testbed::ChildProcess client(testbed::in_namespace(plan.client_namespace, tool.client(plan.server_address, port)),
                      {-1, from_client->write.get(), client_log});
  from_client->write.close();  // else its end of file would never come

  PatternPump pump(to_server->write, from_client->read, plan.bytes);
  PatternDownloadResult result;
  auto last_devices = before;
  auto next_bucket = start + kBucket, next_progress = start + kProgressInterval;
  auto last_byte = start;
  for (;;) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_bucket - SteadyClock::now());
    const auto moved = pump.move_some(std::clamp(wait, 1ms, 50ms));
    const auto now = SteadyClock::now();
    if (moved && *moved) {
      const auto bucket = static_cast<std::size_t>((now - start) / kBucket);
      if (result.bucket_bytes.size() <= bucket) result.bucket_bytes.resize(bucket + 1);
      result.bucket_bytes[bucket] += *moved;
      last_byte = now;
    }
    if (!moved || now >= next_bucket) {  // the devices' share of the bucket that just ended
      const auto devices = plan.device_bytes ? plan.device_bytes() : last_devices;
      result.bucket_device_bytes.push_back({devices[0] - last_devices[0], devices[1] - last_devices[1]});
      last_devices = devices;
      next_bucket += kBucket;
    }
    if (!moved) break;
    testbed::throw_if_interrupted();
    if (plan.event_fraction && !result.event_seconds &&
        static_cast<double>(pump.received()) >= *plan.event_fraction * static_cast<double>(plan.bytes)) {
      result.event_seconds = std::chrono::duration<double>(now - start).count();
      plan.on_event();
    }
    if (now >= start + plan.timeout)
      fail_with_log("the download did not end in time (" + std::to_string(pump.received()) + " bytes arrived)", client, client_log);
    if (now >= next_progress) {
      next_progress = now + kProgressInterval;
      if (plan.on_progress) plan.on_progress(pump.received());
      if (auto exit = server.wait_for(0ms); exit && !exit->success()) fail_with_log("the server " + exit->describe(), server, server_log);
    }
  }
  wait_for_clean_exit(client, "client", client_log);
  wait_for_clean_exit(server, "server", server_log);
  if (pump.received() != plan.bytes)
    fail_with_log("the client wrote " + std::to_string(pump.received()) + " bytes of " + std::to_string(plan.bytes), client,
         client_log);
  result.bytes = pump.received();
  result.seconds = std::chrono::duration<double>(last_byte - start).count();
  for (std::size_t i = 0; i < 2; ++i) result.device_bytes[i] = last_devices[i] - before[i];
  const auto buckets = std::max(result.bucket_bytes.size(), result.bucket_device_bytes.size());
  result.bucket_bytes.resize(buckets);
  result.bucket_device_bytes.resize(buckets);
  return result;
}

}  // namespace msocket::mbench
