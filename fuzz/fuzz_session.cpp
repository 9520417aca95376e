// A session::Session driven by a script (session_script.hpp): frames of the
// peer on one of four paths, paths coming up, failing and closing, the fake
// clock and its timers, and the application writing, reading, shutting down
// and aborting. After every step each path is polled dry and the public
// invariants are checked:
//  - what poll_transmit returns is whole, valid frames, and never ends (a
//    session that always has more to send within one instant is a bug);
//  - DATA sent carries exactly the bytes the application wrote at that
//    offset, never past them, and the FIN sits where shutdown_write put it;
//  - no ack (sent or recv_ack()) covers more than the peer's frames brought,
//    and the application never reads more than was delivered, nor other
//    bytes than the peer sent (while the peer's data came from data steps);
//  - the counters agree with the harness, and the buffers stay within the
//    configured sizes.
#include <algorithm>
#include <array>
#include <vector>

#include "check.hpp"
#include "session/session.hpp"
#include "session_script.hpp"
#include "wire/codec.hpp"

namespace {

using namespace msocket;
using namespace std::chrono_literals;
using fuzz::SessionOp;

constexpr std::size_t kPollSize = 16 * 1024;
constexpr int kMaxPolls = 1024;

session::Config config_of(std::uint8_t byte) {
  session::Config config;
  config.send_buffer = 64 * 1024;
  config.recv_buffer = 64 * 1024;
  config.chunk_size = 4 * 1024;
  config.scheduler = static_cast<session::SchedulerPolicy>((byte & 7) % 5);
  return config;
}

class Harness {
 public:
  explicit Harness(std::uint8_t config_byte)
      : config_(config_of(config_byte)),
        session_(config_byte & 8 ? Role::server : Role::client, config_, now_) {}

  // Runs one step; false when the script is cut short.
  bool step(fuzz::ScriptReader& script);
  void check();

 private:
  bool frame_step(fuzz::ScriptReader& script, PathId path);
  bool data_step(fuzz::ScriptReader& script, PathId path);
  bool path_up_step(fuzz::ScriptReader& script, PathId path);
  void timer_step();
  void read_step(std::size_t size);
  void give(PathId path, const wire::Frame& frame);
  void poll(PathId path);
  void check_sent(const wire::Frame& frame);

  session::Config config_;
  TimePoint now_ = TimePoint{} + 1h;
  session::Session session_;
  std::uint64_t written_ = 0;          // bytes the application wrote
  std::optional<std::uint64_t> fin_;   // where shutdown_write put our FIN
  std::uint64_t read_ = 0;             // bytes the application read
  std::uint64_t delivered_end_ = 0;    // highest offset + 1 any peer DATA frame reached
  bool peer_bytes_known_ = true;       // no DATA payload came from a raw frame
};

// The bytes of the peer's stream as data steps carry them, and of ours as
// write steps produce them, from `offset`: a sequence that repeats every 251
// bytes (a prime, so it never lines up with chunks), taken from a table so
// that filling and checking payloads are memcpy and memcmp, not loops that
// libFuzzer's comparison tracing makes slow.
constexpr std::size_t kPeriod = 251;
std::span<const std::byte> stream_bytes(bool peer, std::uint64_t offset, std::size_t size) {
  static const auto table = [] {
    std::array<std::vector<std::byte>, 2> t;
    for (std::size_t which = 0; which < 2; ++which)
      for (std::size_t i = 0; i < wire::kMaxPayload + kPeriod; ++i) t[which].push_back(std::byte(i % kPeriod * (which ? 13 : 31) + which));
    return t;
  }();
  return std::span<const std::byte>(table[peer ? 1 : 0]).subspan(offset % kPeriod, size);
}

// Scratch space for poll_transmit, allocated once: zeroing it for every poll
// would cost more than the poll.
std::span<std::byte> poll_buffer() {
  static std::vector<std::byte> buffer(kPollSize);
  return buffer;
}

void Harness::give(PathId path, const wire::Frame& frame) {
  if (const auto* d = std::get_if<wire::DataFrame>(&frame))
    delivered_end_ = std::max(delivered_end_, d->offset + d->payload.size() + (d->fin ? 1 : 0));
  // Errors concern only the path: the transport closes it (session.hpp).
  if (session_.on_frame(path, frame, now_)) session_.path_down(path, now_);
}

bool Harness::frame_step(fuzz::ScriptReader& script, PathId path) {
  const auto decoded = wire::decode(script.rest());
  if (!decoded) return false;
  if (const auto* d = std::get_if<wire::DataFrame>(&decoded->frame); d && !d->payload.empty())
    peer_bytes_known_ = false;
  give(path, decoded->frame);
  script.skip(decoded->consumed);
  return true;
}

bool Harness::data_step(fuzz::ScriptReader& script, PathId path) {
  const auto offset = script.number(4), length = script.number(2), fin = script.number(1);
  const auto ack = script.number(4), window = script.number(4);
  if (!window) return false;
  wire::DataFrame d{*offset, *ack, *window, (*fin & 1) != 0, {}};
  if (!d.fin) {
    const std::size_t n = std::max<std::uint64_t>(1, *length);
    d.payload = stream_bytes(true, d.offset, n);
  }
  give(path, d);
  return true;
}

bool Harness::path_up_step(fuzz::ScriptReader& script, PathId path) {
  const auto ack = script.number(4), window = script.number(4), flags = script.number(1);
  if (!flags) return false;
  const auto priority = (*flags & 1) ? PathPriority::backup : PathPriority::regular;
  std::optional<Duration> rtt;
  if (*flags & 2) rtt = 20ms;
  (void)session_.add_path(path, *ack, *window, now_, rtt, priority);
  return true;
}

void Harness::timer_step() {
  const auto deadline = session_.next_deadline();
  if (deadline != TimePoint::max() && deadline > now_ && deadline - now_ <= 48h) now_ = deadline;
  session_.on_timer(now_);
  for (auto path : session_.take_dead_paths()) FUZZ_CHECK(to_int(path) >= 1 && to_int(path) <= fuzz::kSessionPaths);
}

void Harness::read_step(std::size_t size) {
  std::vector<std::byte> out(size);
  const auto n = session_.read(out, now_);
  FUZZ_CHECK(n <= size);
  if (peer_bytes_known_ && n > 0) FUZZ_CHECK(std::ranges::equal(std::span(out).first(n), stream_bytes(true, read_, n)));
  read_ += n;
}

bool Harness::step(fuzz::ScriptReader& script) {
  const auto head = script.number(1);
  if (!head) return false;
  const auto op = static_cast<SessionOp>(*head & 0x0f);
  const PathId path{static_cast<std::uint32_t>(1 + ((*head >> 4) & 3))};
  switch (op) {
    case SessionOp::frame: return frame_step(script, path);
    case SessionOp::data: return data_step(script, path);
    case SessionOp::ack: {
      const auto ack = script.number(4), window = script.number(4);
      if (!window) return false;
      give(path, wire::AckFrame{*ack, *window});
      return true;
    }
    case SessionOp::path_up: return path_up_step(script, path);
    case SessionOp::path_down: session_.path_down(path, now_); return true;
    case SessionOp::path_eof: session_.path_eof(path, now_); return true;
    case SessionOp::advance: {
      const auto ms = script.number(2);
      if (!ms) return false;
      now_ += std::chrono::milliseconds(*ms);
      return true;
    }
    case SessionOp::timer: timer_step(); return true;
    case SessionOp::write: {
      const auto n = script.number(2);
      if (!n) return false;
      const auto bytes = stream_bytes(false, written_, *n);
      const auto accepted = session_.write(bytes, now_);
      FUZZ_CHECK(accepted <= bytes.size());
      FUZZ_CHECK(accepted == 0 || !fin_);
      written_ += accepted;
      return true;
    }
    case SessionOp::read: {
      const auto n = script.number(2);
      if (!n) return false;
      read_step(*n);
      return true;
    }
    case SessionOp::shutdown:
      if (!fin_ && !session_.done()) fin_ = written_;
      session_.shutdown_write(now_);
      return true;
    case SessionOp::delivered: {
      const auto n = script.number(4);
      if (!n) return false;
      session_.path_delivered(path, *n, now_);
      return true;
    }
    case SessionOp::rtt_sample: {
      const auto ms = script.number(2);
      if (!ms) return false;
      session_.path_rtt_sample(path, std::chrono::milliseconds(*ms));
      return true;
    }
    case SessionOp::abort: session_.abort(); return true;
    case SessionOp::peer_closed: session_.peer_closed(now_); return true;
    case SessionOp::ping: {
      const auto token = script.number(1);
      if (!token) return false;
      give(path, wire::PingFrame{*token});
      return true;
    }
  }
  return false;
}

void Harness::check_sent(const wire::Frame& frame) {
  FUZZ_CHECK(!std::holds_alternative<wire::SetupFrame>(frame) && !std::holds_alternative<wire::SetupAckFrame>(frame));
  if (const auto* d = std::get_if<wire::DataFrame>(&frame)) {
    FUZZ_CHECK(d->ack <= delivered_end_);
    if (d->fin) {
      FUZZ_CHECK(fin_ && d->offset == *fin_);
      return;
    }
    FUZZ_CHECK(d->offset + d->payload.size() <= written_);
    FUZZ_CHECK(d->payload.size() <= config_.chunk_size);
    FUZZ_CHECK(std::ranges::equal(d->payload, stream_bytes(false, d->offset, d->payload.size())));
  } else if (const auto* a = std::get_if<wire::AckFrame>(&frame)) {
    FUZZ_CHECK(a->ack <= delivered_end_);
  }
}

void Harness::poll(PathId path) {
  const auto out = poll_buffer();
  for (int polls = 0; polls < kMaxPolls; ++polls) {
    const auto n = session_.poll_transmit(path, out, now_);
    FUZZ_CHECK(n <= out.size());
    if (n == 0) return;
    std::span<const std::byte> rest = out.first(n);
    while (!rest.empty()) {
      const auto decoded = wire::decode(rest);
      FUZZ_CHECK(decoded.has_value());
      check_sent(decoded->frame);
      rest = rest.subspan(decoded->consumed);
    }
  }
  FUZZ_CHECK(!"poll_transmit never ran dry");
}

void Harness::check() {
  for (unsigned i = 1; i <= fuzz::kSessionPaths; ++i) poll(PathId{i});
  const auto& counters = session_.counters();
  FUZZ_CHECK(counters.bytes_read == read_);
  FUZZ_CHECK(counters.bytes_written == written_);
  FUZZ_CHECK(read_ <= delivered_end_);
  FUZZ_CHECK(session_.recv_ack() <= delivered_end_);
  FUZZ_CHECK(read_ + session_.readable() <= session_.recv_ack());
  FUZZ_CHECK(session_.writable() <= config_.send_buffer);
  // The input buffer: the window's bytes, and a bit per offset of it for
  // what arrived out of order (session/arrival_bitmap.hpp).
  FUZZ_CHECK(session_.buffered_bytes() <= config_.send_buffer + config_.recv_buffer + config_.recv_buffer / 8 + 64);
  FUZZ_CHECK(session_.state() != session::State::failed || session_.error());
  (void)session_.next_deadline();
  (void)session_.path_report(now_);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ScriptReader script(fuzz::bytes_of(data, size));
  const auto config_byte = script.number(1);
  if (!config_byte) return 0;
  Harness harness(static_cast<std::uint8_t>(*config_byte));
  for (int steps = 0; steps < 4096 && harness.step(script); ++steps) harness.check();
  return 0;
}
