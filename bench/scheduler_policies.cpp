// Completion times of the scheduling policies in the scheduler's link model
// (tests/sim/sched_link_sim.hpp: WiFi 40 Mbit/s 80 ms RTT and LTE 20 Mbit/s
// 145 ms RTT, a 4 MiB receive window), the tables of docs/scheduler.md §6.
// Each time is printed with its ratio to the paper's Ideal for the same
// transfer, and the multipath runs with their ratio to WiFi alone, run in
// the same model.
#include <cstdio>
#include <optional>
#include <string>

#include "command_line.hpp"
#include "sched_link_sim.hpp"

namespace {

using namespace msocket::sched::sim;
using msocket::Duration;

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// "  2289.8 x1.001": a completion time and its ratio to `baseline`; dashes if
// the transfer never completed.
std::string against(const std::optional<Duration>& took, Duration baseline) {
  char text[32];
  if (!took) return "       -      ";
  std::snprintf(text, sizeof text, "%8.1f x%5.3f", ms(*took), ms(*took) / ms(baseline));
  return text;
}

double sent_per_file(const Outcome& o, std::uint64_t file) {
  std::uint64_t sent = 0;
  for (auto b : o.bytes_sent) sent += b;
  return static_cast<double>(sent) / static_cast<double>(file);
}

// Per file size: each policy's time against the Ideal, the bytes it sent
// per byte of the file, and WiFi alone.
void print_sizes() {
  std::printf("Completion in ms (x the Ideal; bytes sent per byte of the file), then WiFi alone\n");
  std::printf("%4s %8s %22s %22s %22s %15s\n", "MiB", "ideal", "default", "rr", "redundant", "WiFi alone");
  for (std::uint64_t mib : {1, 4, 16, 64}) {
    const auto s = transfer({kWifi, kLte}, mib << 20);
    const auto ideal = ideal_completion(s);
    std::printf("%4llu %8.1f", static_cast<unsigned long long>(mib), ms(ideal));
    for (const char* policy : {"default", "rr", "redundant"}) {
      const auto o = run(s, policy);
      std::printf(" %s (%4.2f)", against(o.completion, ideal).c_str(), sent_per_file(o, s.file_bytes));
    }
    std::printf(" %s\n", against(run(transfer({kWifi}, mib << 20), "default").completion, ideal).c_str());
  }
}

// One path's rate changes for good at 1 s; "other" is the other path alone
// from the start.
void print_rate_changes() {
  std::printf("\n16 MiB, one path's rate changes at 1 s for good (0 = it stalls); ms (x the Ideal)\n");
  std::printf("%5s %6s %8s %15s %15s %15s\n", "path", "Mbit/s", "ideal", "default", "prefer", "other alone");
  for (std::size_t path : {0, 1}) {
    for (double mbit : {0.0, 0.2, 2.0}) {
      auto s = transfer({kWifi, kLte}, 16ull << 20);
      s.rate_changes.push_back({path, std::chrono::seconds(1), mbit});
      s.time_limit = std::chrono::seconds(60);
      const auto ideal = ideal_completion(s);
      std::printf("%5s %6.1f %8.1f %s %s %s\n", path == 0 ? "wifi" : "lte", mbit, ms(ideal),
                  against(run(s, "default").completion, ideal).c_str(),
                  against(run(s, "prefer").completion, ideal).c_str(),
                  against(single_path_completion(s.paths[1 - path], s.file_bytes), ideal).c_str());
    }
  }
}

// The receive window bounds what the receiver holds out of order.
void print_windows() {
  std::printf("\n16 MiB, receive window in KiB; ms (x WiFi alone with that window; most KiB held)\n");
  std::printf("%8s %23s %23s %23s %10s\n", "KiB", "default", "rr", "redundant", "WiFi alone");
  for (std::uint64_t kib : {256, 1024, 4096}) {
    const auto s = transfer({kWifi, kLte}, 16ull << 20, kib << 10);
    const auto wifi = run(transfer({kWifi}, 16ull << 20, kib << 10), "default").completion;
    std::printf("%8llu", static_cast<unsigned long long>(kib));
    for (const char* policy : {"default", "rr", "redundant"}) {
      const auto o = run(s, policy);
      const auto held = static_cast<unsigned long long>(o.max_out_of_order >> 10);
      std::printf(" %s (%5llu)", wifi ? against(o.completion, *wifi).c_str() : "       -      ", held);
    }
    std::printf(" %10.1f\n", wifi ? ms(*wifi) : -1.0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::po::options_description options("Options");
  bench::po::variables_map values;
  if (const auto status = bench::parse_command_line(
          argc, argv, options, values, "usage: bench_scheduler_policies\n",
          "Completion times of the scheduling policies (default, rr, redundant, prefer) in the\n"
          "scheduler's link model, in virtual time (docs/scheduler.md §6): by file size against\n"
          "the Ideal, with one path's rate changing, and by receive window against WiFi alone.\n"
          "Exit status: 0 success, 2 usage error.\n"))
    return *status;
  print_sizes();
  print_rate_changes();
  print_windows();
  return 0;
}
