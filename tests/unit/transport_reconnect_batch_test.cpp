// ReconnectBatch: the RECONNECTs of a move, sent together, retried together
// with one backoff, each leaving with its own ack (docs/protocol.md §2.7).
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "transport/reconnect_batch.hpp"

namespace msocket::transport {

using namespace std::chrono_literals;

namespace {

PendingReconnect reconnect_of(std::uint64_t conn, std::uint64_t counter) {
  PendingReconnect r;
  r.conn_id = conn;
  r.counter = counter;
  r.to = boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("10.0.0.2"), static_cast<unsigned short>(conn));
  return r;
}

std::vector<std::uint64_t> ids_of(const std::vector<const PendingReconnect*>& due) {
  std::vector<std::uint64_t> ids;
  for (const auto* r : due) ids.push_back(r->conn_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST_CASE("ReconnectBatch: a move's RECONNECTs are all due at once", "[transport]") {
  ReconnectBatch batch;
  const TimePoint t0{};
  for (std::uint64_t conn = 1; conn <= 1000; ++conn) batch.add(reconnect_of(conn, 1), t0);
  CHECK(batch.pending() == 1000);
  REQUIRE(batch.next_send() == t0);
  const auto due = batch.take_due(t0);
  CHECK(due.size() == 1000);
  CHECK(batch.take_due(t0).empty());  // not again before the deadline
  CHECK(batch.next_send() == t0 + kFirstReconnectWait);
}

TEST_CASE("ReconnectBatch: each ack takes its own connection out, only with its counter", "[transport]") {
  ReconnectBatch batch;
  const TimePoint t0{};
  batch.add(reconnect_of(1, 5), t0);
  batch.add(reconnect_of(2, 9), t0);
  batch.add(reconnect_of(3, 1), t0);
  (void)batch.take_due(t0);
  CHECK_FALSE(batch.acknowledge(1, 4));  // an older move's ack
  CHECK_FALSE(batch.acknowledge(7, 1));  // no such connection
  CHECK(batch.acknowledge(1, 5));
  CHECK_FALSE(batch.acknowledge(1, 5));  // the repeat of an ack
  batch.forget(3);                       // it came back by itself
  CHECK(ids_of(batch.take_due(t0 + kFirstReconnectWait)) == std::vector<std::uint64_t>{2});
  CHECK(batch.acknowledge(2, 9));
  CHECK(batch.pending() == 0);
  CHECK_FALSE(batch.next_send());
}

TEST_CASE("ReconnectBatch: unanswered rounds back off, then are given up", "[transport]") {
  ReconnectBatch batch;
  TimePoint now{};
  batch.add(reconnect_of(1, 1), now);
  std::vector<Duration> waits;
  for (int round = 1; round <= kReconnectTries; ++round) {
    REQUIRE(batch.take_due(*batch.next_send()).size() == 1);
    waits.push_back(*batch.next_send() - now);
    now = *batch.next_send();
  }
  CHECK(waits == std::vector<Duration>{100ms, 200ms, 400ms, 800ms, 1600ms, 3200ms, 6400ms});
  CHECK(batch.take_due(now).empty());  // its last wait is over
  CHECK(batch.given_up() == std::vector<std::uint64_t>{1});
  CHECK(batch.pending() == 0);
}

TEST_CASE("ReconnectBatch: a new route hurries the round without backing off", "[transport]") {
  ReconnectBatch batch;
  const TimePoint t0{};
  batch.add(reconnect_of(1, 1), t0);
  (void)batch.take_due(t0);                    // wait 100 ms
  batch.hurry(t0 + 10ms);                      // "network unreachable" before; a route now
  CHECK(batch.next_send() == t0 + 10ms);
  CHECK(batch.take_due(t0 + 10ms).size() == 1);
  CHECK(batch.next_send() == t0 + 110ms);      // still the first wait
  CHECK(batch.take_due(t0 + 110ms).size() == 1);
  CHECK(batch.next_send() == t0 + 310ms);      // that one timed out: doubled
}

TEST_CASE("ReconnectBatch: a newer move supersedes and starts the round over", "[transport]") {
  ReconnectBatch batch;
  const TimePoint t0{};
  batch.add(reconnect_of(1, 1), t0);
  batch.add(reconnect_of(2, 1), t0);
  (void)batch.take_due(t0);
  (void)batch.take_due(t0 + 100ms);  // the second round: wait 200 ms now
  batch.add(reconnect_of(1, 2), t0 + 150ms);
  const auto due = batch.take_due(t0 + 150ms);
  CHECK(ids_of(due) == std::vector<std::uint64_t>{1, 2});
  CHECK(std::find_if(due.begin(), due.end(), [](auto* r) { return r->conn_id == 1; }) != due.end());
  CHECK(batch.next_send() == t0 + 250ms);
  CHECK_FALSE(batch.acknowledge(1, 1));  // the old move's counter
  CHECK(batch.acknowledge(1, 2));
}

}  // namespace msocket::transport
