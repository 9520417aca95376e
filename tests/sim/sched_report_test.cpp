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
}

}  // namespace msocket::sched::sim
