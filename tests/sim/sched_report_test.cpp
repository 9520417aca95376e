// Prints completion times of the policies against the ideal schedule, the
// table of docs/scheduler.md §6. Hidden from the default run:
//   sim_tests "[sched-report]"
#include <catch2/catch.hpp>

#include <cstdio>

#include "sched_link_sim.hpp"

namespace msocket::sched::sim {
namespace {

double ms(const std::optional<Duration>& d) {
  return d ? std::chrono::duration<double, std::milli>(*d).count() : -1.0;
}

double sent_per_file(const Outcome& o, std::uint64_t file) {
  std::uint64_t sent = 0;
  for (auto b : o.bytes_sent) sent += b;
  return static_cast<double>(sent) / static_cast<double>(file);
}

}  // namespace

TEST_CASE("sched sim: report of completion times per policy", "[.][sched-report]") {
  std::printf("%4s %8s %16s %16s %16s %8s\n", "MiB", "ideal", "default (sent)", "rr (sent)",
              "redundant (sent)", "wifi");
  for (std::uint64_t mib : {1, 4, 16, 64}) {
    const auto s = transfer({kWifi, kLte}, mib << 20);
    std::printf("%4llu %8.1f", static_cast<unsigned long long>(mib), ms(ideal_completion(s)));
    for (const char* policy : {"default", "rr", "redundant"}) {
      const auto o = run(s, policy);
      std::printf(" %8.1f (%5.3f)", ms(o.completion), sent_per_file(o, s.file_bytes));
    }
    std::printf(" %8.1f\n", ms(run(transfer({kWifi}, mib << 20), "default").completion));
  }
  std::printf("\n16 MiB, one path's rate changes at 1 s for good (0 = stalls)\n");
  std::printf("%5s %6s %8s %8s %8s %8s\n", "path", "Mbit/s", "ideal", "default", "prefer", "other");
  for (std::size_t path : {0, 1}) {
    for (double mbit : {0.0, 0.2, 2.0}) {
      auto s = transfer({kWifi, kLte}, 16ull << 20);
      s.rate_changes.push_back({path, std::chrono::seconds(1), mbit});
      s.time_limit = std::chrono::seconds(60);
      std::printf("%5s %6.1f %8.1f %8.1f %8.1f %8.1f\n", path == 0 ? "wifi" : "lte", mbit,
                  ms(ideal_completion(s)), ms(run(s, "default").completion),
                  ms(run(s, "prefer").completion),
                  ms(single_path_completion(s.paths[1 - path], s.file_bytes)));
    }
  }
  std::printf("\n16 MiB, receive window (most bytes held by the receiver, KiB)\n");
  std::printf("%8s %16s %16s %16s %9s\n", "KiB", "default (held)", "rr (held)", "redundant (held)", "wifi");
  for (std::uint64_t kib : {256, 1024, 4096}) {
    const auto s = transfer({kWifi, kLte}, 16ull << 20, kib << 10);
    std::printf("%8llu", static_cast<unsigned long long>(kib));
    for (const char* policy : {"default", "rr", "redundant"}) {
      const auto o = run(s, policy);
      std::printf(" %8.1f (%5llu)", ms(o.completion), static_cast<unsigned long long>(o.max_out_of_order >> 10));
    }
    std::printf(" %9.1f\n", ms(run(transfer({kWifi}, 16ull << 20, kib << 10), "default").completion));
  }
}

}  // namespace msocket::sched::sim
