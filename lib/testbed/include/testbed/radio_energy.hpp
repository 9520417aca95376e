// The energy a phone's radios spend on a transfer, sans I/O: a traffic trace
// (per interface: time, bytes up, bytes down) goes in, joules come out. The
// model is the one of Huang et al., "A Close Examination of Performance and
// Power Characteristics of 4G LTE Networks", MobiSys 2012 (its Tables 3 and
// 4): an idle radio that data wakes up (promotion), a connected radio whose
// power grows with throughput, P = αu·tu + αd·td + β, and a tail at high
// power after the last byte before the radio is idle again. Two bursts less
// than a tail apart share one promotion; the tail is the price of a late
// byte. Also the integral of a measured power trace (time, milliwatts), for
// runs on a real phone with a power monitor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace msocket::testbed {

using Seconds = std::chrono::duration<double>;

// One radio's constants, powers as published. The idle state is charged
// nothing: an idle radio costs the same whether a transfer happens or not,
// so an idle trace costs nothing and a result is the transfer's own cost.
struct RadioPowerModel {
  std::string name;                 // "LTE", "WiFi"
  double promotion_milliwatts = 0;  // while idle -> connected
  Seconds promotion_time{0};
  double tail_milliwatts = 0;  // connected without data (LTE: averaged over its DRX cycles)
  Seconds tail_time{0};        // how long without data before the radio is idle again
  double uplink_milliwatts_per_mbps = 0;    // αu
  double downlink_milliwatts_per_mbps = 0;  // αd
  double transfer_base_milliwatts = 0;      // β

  // αu·tu + αd·td + β, throughputs in Mbit/s (10^6 bits per second).
  double transfer_milliwatts(double uplink_mbps, double downlink_mbps) const;
};

// Huang et al. 2012, LTE (Tables 3 and 4).
RadioPowerModel lte_power_model();
// Huang et al. 2012, WiFi (Tables 3 and 4).
RadioPowerModel wifi_power_model();

// Bytes one interface carried in (previous sample's `at`, `at`]; the first
// sample's interval starts at zero. `at` is time since the trace began.
struct TrafficSample {
  Seconds at{0};
  std::uint64_t bytes_up = 0;
  std::uint64_t bytes_down = 0;
};

struct RadioEnergy {
  double promotion_joules = 0;
  double transfer_joules = 0;  // intervals that carried bytes
  double tail_joules = 0;      // quiet intervals while connected, and the final tail
  unsigned promotions = 0;
  Seconds transfer_time{0};

  double joules() const { return promotion_joules + transfer_joules + tail_joules; }
  // Two radios of one phone draw at once: their energies add.
  RadioEnergy& operator+=(const RadioEnergy& other);
};

// One radio driven by its interface's samples, in time order.
//   idle --bytes--> promotion (charged, taking no trace time: the testbed's
//   links have no promotion delay) --> connected: an interval with bytes
//   costs transfer_milliwatts(its throughputs) for its length; an interval
//   without bytes is tail; tail_time without bytes --> idle.
class RadioStateMachine {
 public:
  explicit RadioStateMachine(RadioPowerModel model);

  // The next sample; its `at` must not go back in time (BOOST_ASSERT). The
  // bytes of a zero-length interval wake the radio but cost no transfer energy.
  void on_sample(const TrafficSample& sample);
  // The energy so far, with a tail in progress run out in full: the radio
  // stays up that long after the last byte, whenever the trace stops.
  RadioEnergy finish() const;

  const RadioPowerModel& model() const { return model_; }

 private:
  void run_tail(Seconds length);

  RadioPowerModel model_;
  RadioEnergy energy_;
  Seconds last_at_{0};
  std::optional<Seconds> last_byte_at_;  // end of the last interval that carried bytes
};

// The energy of one radio for a whole trace.
RadioEnergy radio_energy(const RadioPowerModel& model, std::span<const TrafficSample> samples);

// A measured trace, integrated.
struct PowerTrace {
  double joules = 0;
  Seconds span{0};  // first row to last
  std::size_t rows = 0;
  double mean_milliwatts() const { return span.count() > 0 ? joules * 1000 / span.count() : 0; }
};

struct PowerTraceError {
  std::size_t line = 0;  // 1-based; 0 for the trace as a whole
  std::string message;
  // "line 7: ..." (or the message alone for line 0).
  std::string describe() const;
};

// Integrates CSV rows "time_s,power_mW" (seconds, milliwatts) with the
// trapezoid rule. An optional first line that is not numbers is a header;
// empty lines and lines starting with '#' are skipped. Errors name the line:
// not two numbers, a time that does not increase, a negative or non-finite
// power; and fewer than two rows (line 0).
std::variant<PowerTrace, PowerTraceError> integrate_power_trace(std::string_view csv);

}  // namespace msocket::testbed
