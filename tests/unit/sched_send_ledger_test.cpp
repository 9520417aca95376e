// SendLedger: offsets (s, a, window), per-path flights in send order, lost
// ranges of failed paths, copies.
#include <catch2/catch.hpp>

#include "sched/send_ledger.hpp"
#include "sched_epoch.hpp"

namespace msocket::sched {
namespace {

using namespace std::chrono_literals;

const PathId wifi{1}, lte{2};

std::vector<ByteRange> ranges_of(const PathFlight& f) {
  std::vector<ByteRange> out;
  for (const auto& e : f.queue) out.push_back(e.range);
  return out;
}

SendLedger with_paths(std::uint64_t stream, std::uint64_t window) {
  SendLedger ledger;
  ledger.set_stream_end(stream);
  ledger.on_ack(0, window);
  ledger.add_path(wifi);
  ledger.add_path(lte);
  return ledger;
}

}  // namespace

TEST_CASE("SendLedger: new bytes are limited by the stream end and the window", "[sched]") {
  auto ledger = with_paths(1000, 600);
  CHECK(ledger.sendable_new() == 600);
  ledger.record_sent(wifi, {0, 400}, t0);
  ledger.record_sent(lte, {400, 600}, t0);
  CHECK(ledger.next_new() == 600);
  CHECK(ledger.sendable_new() == 0);  // s - a = b
  ledger.on_ack(300, 900);
  CHECK(ledger.sendable_new() == 300);
  ledger.on_ack(200, 800);  // older: ignored
  CHECK(ledger.ack() == 300);
  CHECK(ledger.window_end() == 900);
  ledger.set_stream_end(700);  // the stream end only grows
  CHECK(ledger.stream_end() == 1000);
  CHECK_FALSE(ledger.all_sent());
}

TEST_CASE("SendLedger: deliveries pop a path's ranges in send order", "[sched]") {
  auto ledger = with_paths(1000, 1000);
  ledger.record_sent(wifi, {0, 100}, t0);
  ledger.record_sent(wifi, {100, 300}, t0);
  CHECK(ledger.record_delivered(wifi, 150) == 150);
  // [0, 100) is gone; [100, 300) is half delivered and stays.
  CHECK(ranges_of(*ledger.flight(wifi)) == std::vector<ByteRange>{{100, 300}});
  CHECK(ledger.record_delivered(wifi, 500) == 150);  // never more than it was given
  CHECK(ledger.flight(wifi)->queue.empty());
  CHECK(ledger.record_delivered(PathId{9}, 10) == 0);
}

TEST_CASE("SendLedger: a failed path's undelivered, unacked ranges become lost", "[sched]") {
  auto ledger = with_paths(1000, 1000);
  ledger.record_sent(lte, {0, 100}, t0);
  ledger.record_sent(wifi, {100, 200}, t0);
  ledger.record_sent(lte, {200, 300}, t0);
  ledger.record_sent(lte, {300, 400}, t0);
  ledger.record_delivered(lte, 100);  // [0, 100) arrived
  ledger.on_ack(0, 1000);
  ledger.on_ack(50, 1000);
  ledger.path_failed(lte);
  CHECK(ledger.flight(lte) == nullptr);
  CHECK(ledger.lost() == std::vector<ByteRange>{{200, 400}});  // merged
  // Re-sending part of it on WiFi takes it out of lost.
  ledger.record_sent(wifi, {200, 300}, t0);
  CHECK(ledger.lost() == std::vector<ByteRange>{{300, 400}});
  CHECK_FALSE(ledger.flight(wifi)->queue.back().copied);  // the only copy now
  ledger.on_ack(350, 1000);
  CHECK(ledger.lost() == std::vector<ByteRange>{{350, 400}});
}

TEST_CASE("SendLedger: a copy marks what another path holds, keeping its order", "[sched]") {
  auto ledger = with_paths(1000, 1000);
  ledger.record_sent(lte, {0, 300}, t0);
  ledger.record_sent(wifi, {300, 400}, t0);
  ledger.record_sent(wifi, {100, 200}, t0 + 1ms);  // copies the middle of LTE's range
  const auto& queue = ledger.flight(lte)->queue;
  REQUIRE(queue.size() == 3);
  CHECK(ranges_of(*ledger.flight(lte)) == std::vector<ByteRange>{{0, 100}, {100, 200}, {200, 300}});
  CHECK_FALSE(queue[0].copied);
  CHECK(queue[1].copied);
  CHECK_FALSE(queue[2].copied);
  CHECK(queue[1].path_end == 200);  // LTE's 200th byte is still offset 199
  CHECK(ledger.flight(wifi)->queue.back().copied);
  CHECK(ledger.next_new() == 400);
  // Deliveries still count LTE's bytes in the order it was given them.
  ledger.record_delivered(lte, 200);
  CHECK(ranges_of(*ledger.flight(lte)) == std::vector<ByteRange>{{200, 300}});
}

}  // namespace msocket::sched
