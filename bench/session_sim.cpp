// Random whole connections in the session simulator (tests/sim/sim_world.hpp),
// the runs of sim_tests' "[sim]" cases, from the command line: replay one
// seed (with --trace, everything that happens, on stderr) to study a failure
// that sim_tests named, or run a range of seeds and see what they reached
// and how fast the simulator goes.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "command_line.hpp"
#include "core/log.hpp"
#include "sim_world.hpp"

namespace {

using namespace msocket::sim;

void print_outcome(std::uint64_t seed, const Outcome& o) {
  std::printf("seed %llu: %s; %llu steps, %.3f s virtual, %llu bytes up, %llu down, %d connections, "
              "%d killed, %d extra paths, %d reused ids, %d closed answers, %d closures after a move\n",
              static_cast<unsigned long long>(seed), o.ok ? "ok" : o.failure.c_str(),
              static_cast<unsigned long long>(o.steps), std::chrono::duration<double>(o.virtual_time).count(),
              static_cast<unsigned long long>(o.bytes_up), static_cast<unsigned long long>(o.bytes_down),
              o.connections, o.kills, o.extra_paths, o.reused_ids, o.closed_answers, o.closures_after_move);
}

}  // namespace

int main(int argc, char** argv) {
  bench::po::options_description options("Options");
  options.add_options()
      ("seed", bench::po::value<std::uint64_t>()->default_value(1), "the first seed")
      ("count", bench::po::value<std::uint64_t>()->default_value(1), "how many seeds, from --seed on")
      ("trace", "print what happens in each run on stderr (as MSOCKET_SIM_TRACE=1)");
  bench::po::variables_map values;
  if (const auto status = bench::parse_command_line(
          argc, argv, options, values, "usage: bench_session_sim [--seed N] [--count N] [--trace]\n",
          "Random connections in the session simulator, one per seed: transfers both ways, path\n"
          "deaths, migrations, closure. Prints each run (one seed) or the totals and the simulator's\n"
          "speed (several), and every failure with its seed. Exit status: 0 every run ok, 1 a run\n"
          "failed, 2 usage error.\n"))
    return *status;
  if (values.count("trace") != 0) ::setenv("MSOCKET_SIM_TRACE", "1", 1);
  msocket::log::session();
  spdlog::set_level(spdlog::level::off);  // path failures log at warn; thousands of runs would drown the output

  const auto first = values["seed"].as<std::uint64_t>();
  const auto count = values["count"].as<std::uint64_t>();
  std::uint64_t failures = 0, steps = 0;
  msocket::Duration virtual_time{};
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    const auto o = simulate(seed);
    if (count == 1 || !o.ok) print_outcome(seed, o);
    failures += o.ok ? 0 : 1;
    steps += o.steps;
    virtual_time += o.virtual_time;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (count > 1)
    std::printf("%llu seeds from %llu: %llu failed; %llu steps; %.1f s virtual in %.2f s (%.0f seeds/s, "
                "%.0fx real time)\n",
                static_cast<unsigned long long>(count), static_cast<unsigned long long>(first),
                static_cast<unsigned long long>(failures), static_cast<unsigned long long>(steps),
                std::chrono::duration<double>(virtual_time).count(), wall, static_cast<double>(count) / wall,
                std::chrono::duration<double>(virtual_time).count() / wall);
  return failures == 0 ? 0 : 1;
}
