// Deterministic simulation of whole connections (sim_world.hpp): random
// transfers both ways, random path deaths, migrations with new or reused path
// ids, several flowpaths at once, slow readers and closure in the middle of
// all that. Every byte must arrive exactly once and in order, and both
// sessions must reach `closed`. A failure names its seed; replay one, with a
// trace of what happens, by
//   bench_session_sim --seed <seed> --trace
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include "core/log.hpp"
#include "sim_world.hpp"

namespace msocket::sim {
namespace {

struct Totals {
  std::uint64_t seeds = 0, bytes = 0, steps = 0, connections = 0, kills = 0;
  std::uint64_t migrated = 0;  // runs in which the client opened more than one connection
  std::uint64_t extra_paths = 0, reused_ids = 0, closed_answers = 0, closures_after_move = 0;
};

Totals run_seeds(std::uint64_t first, std::uint64_t count) {
  // The sessions log path failures at warn; thousands of runs would drown the output.
  log::session();
  spdlog::set_level(spdlog::level::off);
  Totals t;
  for (std::uint64_t seed = first; seed < first + count; ++seed) {
    const auto o = simulate(seed);
    if (!o.ok) FAIL(o.failure);
    ++t.seeds;
    t.bytes += o.bytes_up + o.bytes_down;
    t.steps += o.steps;
    t.connections += static_cast<std::uint64_t>(o.connections);
    t.kills += static_cast<std::uint64_t>(o.kills);
    t.migrated += o.connections > 1;
    t.extra_paths += static_cast<std::uint64_t>(o.extra_paths);
    t.reused_ids += static_cast<std::uint64_t>(o.reused_ids);
    t.closed_answers += static_cast<std::uint64_t>(o.closed_answers);
    t.closures_after_move += static_cast<std::uint64_t>(o.closures_after_move);
  }
  return t;
}

}  // namespace

TEST_CASE("sim: 1000 random connections deliver every byte and close", "[sim]") {
  const auto t = run_seeds(1, 1000);
  // The schedules really do reach the cases that matter (not vacuous).
  INFO("kills " << t.kills << ", runs with a move " << t.migrated << ", extra paths "
                << t.extra_paths << ", reused ids " << t.reused_ids << ", closed answers "
                << t.closed_answers << ", closures after a move " << t.closures_after_move);
  CHECK(t.kills > 500);
  CHECK(t.migrated > 300);
  CHECK(t.extra_paths > 50);
  CHECK(t.reused_ids > 100);
  CHECK(t.closed_answers > 10);
  CHECK(t.closures_after_move > 300);
  CHECK(t.bytes > 100u << 20);
}

TEST_CASE("sim: 20000 random connections", "[sim][slow]") {
  const auto t = run_seeds(1'000'000, 20000);
  CHECK(t.seeds == 20000);
}

TEST_CASE("sim: a seed replays identically", "[sim]") {
  spdlog::set_level(spdlog::level::off);
  const auto a = simulate(42);
  const auto b = simulate(42);
  REQUIRE(a.ok);
  CHECK(a.steps == b.steps);
  CHECK(a.virtual_time == b.virtual_time);
  CHECK(a.bytes_up == b.bytes_up);
  CHECK(a.connections == b.connections);
}

}  // namespace msocket::sim
