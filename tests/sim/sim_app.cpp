// The applications of the simulated world: they write their stream in random
// pieces (waiting when the output buffer is full), read eagerly or slowly, and
// check every byte they read.
#include "sim_world_internal.hpp"

namespace msocket::sim::detail {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
  return x ^ (x >> 31);
}

}  // namespace

void fill_stream(std::uint64_t key, std::uint64_t offset, std::span<std::byte> out) {
  for (std::size_t i = 0; i < out.size();) {
    const std::uint64_t o = offset + i;
    const std::uint64_t word = mix(key ^ (o / 8));
    const unsigned shift = static_cast<unsigned>(o % 8);
    const std::size_t n = std::min<std::size_t>(8 - shift, out.size() - i);
    for (std::size_t k = 0; k < n; ++k) out[i + k] = static_cast<std::byte>(word >> (8 * (shift + k)));
    i += n;
  }
}

void World::app_write(int side) {
  auto& a = ep_[side]->app;
  if (a.writing || a.written == a.out_total) return;
  // A scripted bulk writer writes 1 MiB at a time, as fast as it can.
  const std::uint64_t piece = a.bulk ? 1 << 20 : log_uniform(1, 256 * 1024);
  const std::size_t n = std::min<std::uint64_t>(a.out_total - a.written, piece);
  a.pending.resize(n);
  fill_stream(a.out_key, a.written, a.pending);
  a.pending_pos = 0;
  a.writing = true;
  try_write(side);
}

void World::try_write(int side) {
  auto& e = *ep_[side];
  auto& a = e.app;
  while (a.pending_pos < a.pending.size()) {
    const auto n = e.session.write(std::span(a.pending).subspan(a.pending_pos), now_);
    if (n == 0) return;  // backpressure: wait for room
    a.pending_pos += n;
    a.written += n;
  }
  a.writing = false;
  if (a.bulk)
    schedule(0ms, a.written == a.out_total ? EventKind::app_shutdown : EventKind::app_write, side);
  else if (a.written == a.out_total)
    schedule(chance(0.3) ? 0ms : between(0ms, 300ms), EventKind::app_shutdown, side);
  else
    schedule(chance(0.5) ? 0ms : between(0ms, 20ms), EventKind::app_write, side);
}

std::size_t World::read_some(int side, std::size_t max) {
  auto& e = *ep_[side];
  auto& a = e.app;
  if (a.eof) return 0;
  const std::size_t n = e.session.read(std::span(scratch_).first(std::min(max, scratch_.size())), now_);
  if (n > 0) {
    if (a.received + n > a.in_total) {
      fail("read more bytes than the peer wrote");
      return 0;
    }
    Bytes expected(n);
    fill_stream(a.in_key, a.received, expected);
    if (!std::equal(expected.begin(), expected.end(), scratch_.begin())) {
      std::size_t i = 0;
      while (expected[i] == scratch_[i]) ++i;
      fail((side == kClient ? "client" : "server") + std::string(" read a wrong byte at offset ") +
           std::to_string(a.received + i));
      return 0;
    }
    a.received += n;
    if (side == kClient && a.received == a.in_total) outcome_.download_done = now_ - start_;
  } else if (e.session.read_eof()) {
    a.eof = true;
    if (a.received != a.in_total)
      fail("EOF after " + std::to_string(a.received) + " of " + std::to_string(a.in_total) + " bytes");
  }
  return n;
}

}  // namespace msocket::sim::detail
