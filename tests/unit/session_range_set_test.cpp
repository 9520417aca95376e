// RangeSet: disjoint, merged half-open ranges of stream offsets.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "session/range_set.hpp"

namespace msocket::session {
namespace {

std::vector<Range> ranges_of(RangeSet s) {
  std::vector<Range> out;
  while (auto r = s.pop_front(~std::uint64_t{0})) out.push_back(*r);
  return out;
}

}  // namespace

TEST_CASE("RangeSet: add merges overlapping and touching ranges", "[session]") {
  RangeSet s;
  CHECK(s.empty());
  s.add({10, 20});
  s.add({30, 40});
  CHECK(ranges_of(s) == std::vector<Range>{{10, 20}, {30, 40}});
  s.add({20, 25});  // touches the first
  CHECK(ranges_of(s) == std::vector<Range>{{10, 25}, {30, 40}});
  s.add({5, 12});  // overlaps the first from below
  CHECK(ranges_of(s) == std::vector<Range>{{5, 25}, {30, 40}});
  s.add({24, 31});  // bridges both
  CHECK(ranges_of(s) == std::vector<Range>{{5, 40}});
  s.add({7, 9});  // inside
  CHECK(ranges_of(s) == std::vector<Range>{{5, 40}});
  s.add({50, 50});  // empty: ignored
  s.add({60, 55});  // inverted: ignored
  CHECK(s.count() == 1);
  s.add({0, 100});  // covers everything
  CHECK(ranges_of(s) == std::vector<Range>{{0, 100}});
  CHECK(s.total() == 100);
  CHECK(s.max_end() == 100);
}

TEST_CASE("RangeSet: remove splits and trims", "[session]") {
  RangeSet s;
  s.add({0, 100});
  s.remove({40, 60});
  CHECK(ranges_of(s) == std::vector<Range>{{0, 40}, {60, 100}});
  s.remove({30, 70});
  CHECK(ranges_of(s) == std::vector<Range>{{0, 30}, {70, 100}});
  s.remove({100, 200});  // past the end: nothing
  s.remove({10, 10});    // empty: nothing
  CHECK(s.total() == 60);
  s.remove_below(80);
  CHECK(ranges_of(s) == std::vector<Range>{{80, 100}});
  s.remove_below(1000);
  CHECK(s.empty());
  CHECK(s.max_end() == 0);
}

TEST_CASE("RangeSet: pop_front, front, contains", "[session]") {
  RangeSet s;
  CHECK_FALSE(s.front());
  CHECK_FALSE(s.pop_front(10));
  s.add({10, 30});
  s.add({40, 45});
  CHECK(s.front() == Range{10, 30});
  CHECK_FALSE(s.pop_front(0));
  CHECK(s.pop_front(5) == Range{10, 15});
  CHECK(s.front() == Range{15, 30});
  CHECK(s.pop_front(100) == Range{15, 30});  // never more than the lowest range
  CHECK(s.contains(40));
  CHECK(s.contains(44));
  CHECK_FALSE(s.contains(45));
  CHECK_FALSE(s.contains(39));
  CHECK_FALSE(s.contains(0));
}

TEST_CASE("RangeSet: merge_from moves every range", "[session]") {
  RangeSet a, b;
  a.add({0, 10});
  b.add({5, 20});
  b.add({30, 40});
  a.merge_from(b);
  CHECK(b.empty());
  CHECK(ranges_of(a) == std::vector<Range>{{0, 20}, {30, 40}});
}

TEST_CASE("RangeSet: matches a bitmap under random operations", "[session]") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; ++round) {
    RangeSet s;
    std::vector<bool> model(128, false);
    for (int op = 0; op < 60; ++op) {
      const std::uint64_t a = rng() % 128, b = rng() % 128;
      const Range r{std::min(a, b), std::max(a, b)};
      switch (rng() % 4) {
        case 0:
        case 1:
          s.add(r);
          for (auto i = r.begin; i < r.end; ++i) model[i] = true;
          break;
        case 2:
          s.remove(r);
          for (auto i = r.begin; i < r.end; ++i) model[i] = false;
          break;
        case 3:
          if (auto p = s.pop_front(1 + rng() % 8)) {
            for (auto i = p->begin; i < p->end; ++i) {
              REQUIRE(model[i]);
              model[i] = false;
            }
            // It took from the lowest range.
            for (std::uint64_t i = 0; i < p->begin; ++i) REQUIRE_FALSE(model[i]);
          }
          break;
      }
      std::uint64_t total = 0;
      for (std::uint64_t i = 0; i < 128; ++i) {
        REQUIRE(s.contains(i) == model[i]);
        total += model[i];
      }
      REQUIRE(s.total() == total);
      // Stored ranges are disjoint and never touch (fully merged).
      const auto list = ranges_of(s);
      for (std::size_t i = 1; i < list.size(); ++i) REQUIRE(list[i - 1].end < list[i].begin);
    }
  }
}

}  // namespace msocket::session
