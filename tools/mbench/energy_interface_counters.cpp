#include "energy_interface_counters.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace msocket::mbench {

namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Packets of a download still queued on a link when both ends have exited
// (up to the tbf's 50 ms, an emulator's 100 ms) belong to it: stop() waits
// until the interfaces have been quiet this long, so that they are neither
// lost nor counted in the next download.
constexpr auto kQuietBeforeStop = 300ms;
constexpr auto kLongestWaitForQuiet = 3s;

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

std::optional<std::uint64_t> next_number(std::string_view& text) {
  const auto start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  text.remove_prefix(start);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

// All of a /proc file, read again from its start.
std::string read_again(int fd) {
  std::string text;
  char buffer[4096];
  if (::lseek(fd, 0, SEEK_SET) != 0) throw std::runtime_error(system_error("lseek /proc/net/dev"));
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(system_error("read /proc/net/dev"));
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

bool InterfaceCounterSampler::same_bytes(const Reading& a, const Reading& b) {
  for (std::size_t i = 0; i < a.bytes.size(); ++i)
    if (a.bytes[i].received != b.bytes[i].received || a.bytes[i].sent != b.bytes[i].sent) return false;
  return true;
}

// "  eth0: RXBYTES RXPACKETS errs drop fifo frame compressed multicast TXBYTES ..."
std::optional<InterfaceBytes> parse_net_dev(std::string_view text, std::string_view interface) {
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = line.substr(0, colon);
    name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
    if (name != interface) continue;
    line.remove_prefix(colon + 1);
    InterfaceBytes bytes;
    std::optional<std::uint64_t> field;
    for (int column = 0; column < 9; ++column) {  // received bytes is column 0, sent bytes column 8
      if (!(field = next_number(line))) return std::nullopt;
      if (column == 0) bytes.received = *field;
      if (column == 8) bytes.sent = *field;
    }
    return bytes;
  }
  return std::nullopt;
}

InterfaceCounterSampler::InterfaceCounterSampler(const std::string& netns, std::vector<std::string> interfaces,
                                                 std::chrono::milliseconds interval)
    : interfaces_(std::move(interfaces)), interval_(interval) {
  const auto path = "/run/netns/" + netns;
  const int namespace_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (namespace_fd < 0) throw std::runtime_error(system_error("cannot open " + path));
  thread_ = std::thread([this, namespace_fd] { run(namespace_fd); });
  started_.wait(0);  // the baseline, or why there is none
  if (started_.load() < 0) {
    thread_.join();
    throw std::runtime_error("cannot sample the interfaces of " + netns + ": " + failure_);
  }
}

InterfaceCounterSampler::~InterfaceCounterSampler() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void InterfaceCounterSampler::run(int namespace_fd) {
  int net_dev_fd = -1;
  try {
    // This thread only: the rest of mbench stays where it is.
    if (::setns(namespace_fd, CLONE_NEWNET) != 0) throw std::runtime_error(system_error("setns"));
    net_dev_fd = ::open("/proc/thread-self/net/dev", O_RDONLY | O_CLOEXEC);
    if (net_dev_fd < 0) throw std::runtime_error(system_error("open /proc/thread-self/net/dev"));
    readings_.push_back(read_counters(net_dev_fd));
    started_ = 1;
    started_.notify_all();
    auto next = readings_.back().at, last_change = next;
    std::optional<SteadyClock::time_point> stop_asked;
    for (;;) {
      next += interval_;
      std::this_thread::sleep_until(next);
      readings_.push_back(read_counters(net_dev_fd));
      const auto& now = readings_.back();
      if (!same_bytes(now, readings_[readings_.size() - 2])) last_change = now.at;
      if (!stopping_) continue;
      if (!stop_asked) stop_asked = now.at;
      if (now.at - last_change >= kQuietBeforeStop || now.at - *stop_asked >= kLongestWaitForQuiet) break;
    }
  } catch (const std::exception& e) {
    failure_ = e.what();
    if (started_.load() == 0) {
      started_ = -1;
      started_.notify_all();
    }
  }
  ::close(namespace_fd);
  if (net_dev_fd >= 0) ::close(net_dev_fd);
}

InterfaceCounterSampler::Reading InterfaceCounterSampler::read_counters(int net_dev_fd) const {
  const auto text = read_again(net_dev_fd);
  Reading reading{SteadyClock::now(), {}};
  for (const auto& interface : interfaces_) {
    const auto bytes = parse_net_dev(text, interface);
    if (!bytes) throw std::runtime_error("no counters for " + interface + " in /proc/net/dev");
    reading.bytes.push_back(*bytes);
  }
  return reading;
}

std::vector<std::vector<testbed::TrafficSample>> InterfaceCounterSampler::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (!failure_.empty()) throw std::runtime_error("sampling the interfaces' counters failed: " + failure_);
  std::vector<std::vector<testbed::TrafficSample>> traces(interfaces_.size());
  for (std::size_t r = 1; r < readings_.size(); ++r) {
    const auto at = std::chrono::duration_cast<testbed::Seconds>(readings_[r].at - readings_.front().at);
    for (std::size_t i = 0; i < interfaces_.size(); ++i) {
      const auto& now = readings_[r].bytes[i];
      const auto& before = readings_[r - 1].bytes[i];
      traces[i].push_back({at, now.sent - before.sent, now.received - before.received});
    }
  }
  return traces;
}

}  // namespace msocket::mbench
