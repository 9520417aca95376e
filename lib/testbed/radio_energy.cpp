#include "testbed/radio_energy.hpp"

#include <boost/assert.hpp>

#include <charconv>
#include <cmath>
#include <utility>

namespace msocket::testbed {

namespace {

using namespace std::chrono_literals;

constexpr double kBitsPerMegabit = 1e6;

// Average power of a radio that sleeps at `sleep_milliwatts` and wakes at
// `awake_milliwatts` for `awake` in every `cycle` (a DRX cycle).
double duty_cycled_milliwatts(double sleep_milliwatts, double awake_milliwatts, Seconds awake, Seconds cycle) {
  return sleep_milliwatts + (awake_milliwatts - sleep_milliwatts) * (awake / cycle);
}

}  // namespace

double RadioPowerModel::transfer_milliwatts(double uplink_mbps, double downlink_mbps) const {
  return uplink_milliwatts_per_mbps * uplink_mbps + downlink_milliwatts_per_mbps * downlink_mbps +
         transfer_base_milliwatts;
}

// Huang et al. 2012. Table 3: promotion 1210.7 mW for 260.1 ms; tail base
// 1060.0 mW for 11.576 s, with DRX "on" periods of 1.0 ms at 1680.2 mW once
// per long DRX cycle of 40 ms (its Table 1). Table 4: αu 438.39 mW/Mbps,
// αd 51.97 mW/Mbps, β 1288.04 mW. The tail is charged at the cycle's average
// (1075.5 mW); the short DRX cycles and the 100 ms DRX inactivity timer at
// the start of the tail differ from it by a few millijoules and are left out.
RadioPowerModel lte_power_model() {
  return RadioPowerModel{
      .name = "LTE",
      .promotion_milliwatts = 1210.7,
      .promotion_time = 260.1ms,
      .tail_milliwatts = duty_cycled_milliwatts(1060.0, 1680.2, 1.0ms, 40ms),
      .tail_time = 11.576s,
      .uplink_milliwatts_per_mbps = 438.39,
      .downlink_milliwatts_per_mbps = 51.97,
      .transfer_base_milliwatts = 1288.04,
  };
}

// Huang et al. 2012. Table 3: promotion 124.4 mW for 79.1 ms; tail 119.3 mW
// for 238.1 ms. Table 4: αu 283.17 mW/Mbps, αd 137.01 mW/Mbps, β 132.86 mW.
RadioPowerModel wifi_power_model() {
  return RadioPowerModel{
      .name = "WiFi",
      .promotion_milliwatts = 124.4,
      .promotion_time = 79.1ms,
      .tail_milliwatts = 119.3,
      .tail_time = 238.1ms,
      .uplink_milliwatts_per_mbps = 283.17,
      .downlink_milliwatts_per_mbps = 137.01,
      .transfer_base_milliwatts = 132.86,
  };
}

RadioEnergy& RadioEnergy::operator+=(const RadioEnergy& other) {
  promotion_joules += other.promotion_joules;
  transfer_joules += other.transfer_joules;
  tail_joules += other.tail_joules;
  promotions += other.promotions;
  transfer_time += other.transfer_time;
  return *this;
}

RadioStateMachine::RadioStateMachine(RadioPowerModel model) : model_(std::move(model)) {}

void RadioStateMachine::run_tail(Seconds length) {
  energy_.tail_joules += model_.tail_milliwatts * length.count() / 1000;
}

void RadioStateMachine::on_sample(const TrafficSample& sample) {
  BOOST_ASSERT(sample.at >= last_at_);
  const Seconds start = last_at_;
  const Seconds length = sample.at - start;
  last_at_ = sample.at;
  // A quiet interval is tail or idle: which one is known only when the
  // next burst comes (or the trace ends), so it is charged then.
  if (sample.bytes_up == 0 && sample.bytes_down == 0) return;
  const bool tail_ran_out = !last_byte_at_ || start - *last_byte_at_ >= model_.tail_time;
  if (tail_ran_out) {
    if (last_byte_at_) run_tail(model_.tail_time);
    energy_.promotion_joules += model_.promotion_milliwatts * model_.promotion_time.count() / 1000;
    ++energy_.promotions;
  } else {
    run_tail(start - *last_byte_at_);
  }
  if (length > Seconds::zero()) {
    const double seconds = length.count();
    const double up = static_cast<double>(sample.bytes_up) * 8 / seconds / kBitsPerMegabit;
    const double down = static_cast<double>(sample.bytes_down) * 8 / seconds / kBitsPerMegabit;
    energy_.transfer_joules += model_.transfer_milliwatts(up, down) * seconds / 1000;
    energy_.transfer_time += length;
  }
  last_byte_at_ = sample.at;
}

RadioEnergy RadioStateMachine::finish() const {
  RadioEnergy energy = energy_;
  if (last_byte_at_) energy.tail_joules += model_.tail_milliwatts * model_.tail_time.count() / 1000;
  return energy;
}

RadioEnergy radio_energy(const RadioPowerModel& model, std::span<const TrafficSample> samples) {
  RadioStateMachine radio(model);
  for (const auto& sample : samples) radio.on_sample(sample);
  return radio.finish();
}

std::string PowerTraceError::describe() const {
  return line == 0 ? message : "line " + std::to_string(line) + ": " + message;
}

namespace {

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::optional<double> number(std::string_view text) {
  text = trimmed(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

struct Row {
  double seconds, milliwatts;
};

// One line's two numbers, or why it has not.
std::variant<Row, std::string> parse_row(std::string_view line) {
  const auto comma = line.find(',');
  if (comma == std::string_view::npos) return std::string("expected time_s,power_mW, found no comma");
  const auto time = number(line.substr(0, comma));
  const auto power = number(line.substr(comma + 1));
  if (!time) return "time '" + std::string(trimmed(line.substr(0, comma))) + "' is not a number";
  if (!power) return "power '" + std::string(trimmed(line.substr(comma + 1))) + "' is not a number";
  if (!std::isfinite(*time) || !std::isfinite(*power)) return std::string("numbers must be finite");
  if (*power < 0) return "power " + std::string(trimmed(line.substr(comma + 1))) + " mW is negative";
  return Row{*time, *power};
}

}  // namespace

std::variant<PowerTrace, PowerTraceError> integrate_power_trace(std::string_view csv) {
  PowerTrace trace;
  std::optional<Row> first, previous;
  std::size_t line_number = 0;
  bool header_seen = false;
  while (!csv.empty()) {
    const auto newline = csv.find('\n');
    const auto line = trimmed(csv.substr(0, newline));
    csv = newline == std::string_view::npos ? std::string_view{} : csv.substr(newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    auto parsed = parse_row(line);
    if (auto* error = std::get_if<std::string>(&parsed)) {
      // Before any row, a line whose first field is no number is a header.
      if (!first && !header_seen && !number(line.substr(0, line.find(',')))) {
        header_seen = true;
        continue;
      }
      return PowerTraceError{line_number, std::move(*error)};
    }
    const Row row = std::get<Row>(parsed);
    if (previous && row.seconds <= previous->seconds)
      return PowerTraceError{line_number, "time " + std::to_string(row.seconds) + " s does not increase (previous " +
                                              std::to_string(previous->seconds) + " s)"};
    if (previous) trace.joules += (row.seconds - previous->seconds) * (row.milliwatts + previous->milliwatts) / 2 / 1000;
    if (!first) first = row;
    previous = row;
    ++trace.rows;
  }
  if (trace.rows < 2) return PowerTraceError{0, "a power trace needs at least two rows of time_s,power_mW"};
  trace.span = Seconds(previous->seconds - first->seconds);
  return trace;
}

}  // namespace msocket::testbed
