#include "energy_interface_counters.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace msocket::mbench {

namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How much longer than the quiet period stop() may wait, if the interfaces
// keep carrying something (a peer still retransmitting its FIN).
constexpr auto kLongestExtraWait = 3s;

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

InterfaceCounterSampler::InterfaceCounterSampler(CounterReader read, std::chrono::milliseconds interval,
                                                 std::chrono::milliseconds quiet)
    : read_(std::move(read)), interval_(interval), quiet_(quiet) {
  readings_.push_back(read_counters());  // the baseline, on this thread: a failure throws from here
  thread_ = std::thread([this] { run(); });
}

InterfaceCounterSampler::~InterfaceCounterSampler() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void InterfaceCounterSampler::run() {
  try {
    auto next = readings_.back().at, last_change = next;
    std::optional<SteadyClock::time_point> stop_asked;
    for (;;) {
      next += interval_;
      std::this_thread::sleep_until(next);
      readings_.push_back(read_counters());
      const auto& now = readings_.back();
      if (!same_bytes(now, readings_[readings_.size() - 2])) last_change = now.at;
      if (!stopping_) continue;
      if (!stop_asked) stop_asked = now.at;
      if (now.at - last_change >= quiet_ || now.at - *stop_asked >= quiet_ + kLongestExtraWait) break;
    }
  } catch (const std::exception& e) {
    failure_ = e.what();
  }
}

InterfaceCounterSampler::Reading InterfaceCounterSampler::read_counters() const {
  return {SteadyClock::now(), read_()};
}

std::vector<std::vector<testbed::TrafficSample>> InterfaceCounterSampler::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (!failure_.empty()) throw std::runtime_error("sampling the interfaces' counters failed: " + failure_);
  std::vector<std::vector<testbed::TrafficSample>> traces(readings_.front().bytes.size());
  for (std::size_t r = 1; r < readings_.size(); ++r) {
    const auto at = std::chrono::duration_cast<testbed::Seconds>(readings_[r].at - readings_.front().at);
    for (std::size_t i = 0; i < traces.size(); ++i) {
      const auto& now = readings_[r].bytes[i];
      const auto& before = readings_[r - 1].bytes[i];
      traces[i].push_back({at, now.sent - before.sent, now.received - before.received});
    }
  }
  return traces;
}

}  // namespace msocket::mbench
