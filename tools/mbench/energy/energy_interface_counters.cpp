#include "energy/energy_interface_counters.hpp"

#include <optional>
#include <stdexcept>

namespace msocket::mbench {

namespace {

using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How much longer than the quiet period stop() may wait, if the interfaces
// keep carrying something (a peer still retransmitting its FIN).
constexpr auto kLongestExtraWait = 3s;

}  // namespace

bool InterfaceCounterSampler::same_bytes(const Reading& a, const Reading& b) {
  for (std::size_t i = 0; i < a.bytes.size(); ++i)
    if (a.bytes[i].received != b.bytes[i].received || a.bytes[i].sent != b.bytes[i].sent) return false;
  return true;
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
