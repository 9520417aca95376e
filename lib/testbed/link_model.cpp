#include "testbed/link_model.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/assert.hpp>

namespace msocket::testbed {

std::size_t default_queue_bytes(BitsPerSecond rate) {
  const auto seconds = std::chrono::duration<double>(kDefaultQueueTime).count();
  const auto bytes = static_cast<std::size_t>(static_cast<double>(rate) * seconds / 8);
  return std::max(bytes, kMinDefaultQueueBytes);
}

LinkModel::LinkModel(const LinkConfig& config)
    : config_(config),
      queue_limit_(config.queue_bytes ? config.queue_bytes : default_queue_bytes(config.rate)),
      random_(config.seed) {
  BOOST_ASSERT(config.loss >= 0 && config.loss <= 1);
  BOOST_ASSERT(config.delay >= Duration::zero());
}

Duration LinkModel::serialization_time(std::size_t bytes) const {
  if (config_.rate == 0) return Duration::zero();
  // Nanoseconds, rounded to nearest; 128-bit so that no rate or size overflows.
  const auto bits_times_ns = static_cast<unsigned __int128>(bytes) * 8 * 1'000'000'000u;
  const auto ns = (bits_times_ns + config_.rate / 2) / config_.rate;
  return std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(static_cast<std::int64_t>(ns)));
}

std::size_t LinkModel::queued_bytes(TimePoint now) {
  while (!queue_.empty() && queue_.front().serialized <= now) {
    queue_bytes_ -= queue_.front().bytes;
    queue_.pop_front();
  }
  return queue_bytes_;
}

std::optional<TimePoint> LinkModel::on_packet(TimePoint arrival, std::size_t bytes) {
  // Loss is drawn for every packet, dropped or not, so that the loss pattern
  // depends only on the seed and the packet count.
  const double draw = static_cast<double>(random_() >> 11) * 0x1p-53;  // uniform in [0, 1)
  if (draw < config_.loss) {
    ++counters_.lost;
    return std::nullopt;
  }
  if (queued_bytes(arrival) + bytes > queue_limit_) {
    ++counters_.overflowed;
    return std::nullopt;
  }
  const TimePoint start = std::max(arrival, busy_until_);
  busy_until_ = start + serialization_time(bytes);
  queue_.push_back({busy_until_, bytes});
  queue_bytes_ += bytes;
  ++counters_.packets;
  counters_.bytes += bytes;
  return busy_until_ + config_.delay;
}

std::optional<BitsPerSecond> parse_rate(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data() || !(value >= 0) || !std::isfinite(value)) return std::nullopt;
  const std::string_view suffix(ptr, static_cast<std::size_t>(end - ptr));
  double multiplier;
  if (suffix.empty() || suffix == "bit") multiplier = 1;
  else if (suffix == "kbit") multiplier = 1e3;
  else if (suffix == "mbit") multiplier = 1e6;
  else if (suffix == "gbit") multiplier = 1e9;
  else return std::nullopt;
  const double bits = std::round(value * multiplier);
  if (bits > 1e13) return std::nullopt;  // 10 Tbit/s: beyond any emulated link; keeps the cast defined
  if (value > 0 && bits < 1) return std::nullopt;  // "0.0001bit" would silently mean unlimited
  return static_cast<BitsPerSecond>(bits);
}

std::string format_rate(BitsPerSecond rate) {
  if (rate == 0) return "unlimited";
  if (rate % 1'000'000'000 == 0) return std::to_string(rate / 1'000'000'000) + "gbit";
  if (rate % 1'000'000 == 0) return std::to_string(rate / 1'000'000) + "mbit";
  if (rate % 1'000 == 0) return std::to_string(rate / 1'000) + "kbit";
  return std::to_string(rate) + "bit";
}

}  // namespace msocket::testbed
