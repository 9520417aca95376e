#include "session/recv_buffer.hpp"

#include <algorithm>

namespace msocket::session {

RecvBuffer::RecvBuffer(std::size_t capacity) : ring_(capacity), beyond_(capacity) {}

boost::system::error_code RecvBuffer::insert(std::uint64_t offset,
                                             std::span<const std::byte> bytes) {
  const std::uint64_t end = offset + bytes.size();
  if (end < offset) return errc::bad_frame;  // wraps: only a hostile peer gets here
  if (end > window()) return errc::peer_ahead;
  if (fin_ && end > *fin_) return errc::bad_frame;
  // Skip what already arrived in order; what lies beyond is rewritten
  // harmlessly (the same bytes) when it arrives twice.
  const std::uint64_t begin = std::max(offset, contiguous_);
  if (begin >= end) return {};
  ring_.write_at(begin, bytes.subspan(begin - offset));
  if (begin > contiguous_) {
    beyond_.mark(contiguous_, begin, end);
  } else if (beyond_.max_end() <= contiguous_) {
    contiguous_ = end;  // in order with nothing waiting beyond: the common case
  } else {
    // Absorb what was waiting beyond (and forget what this overwrote).
    contiguous_ = beyond_.clear_through_run(contiguous_, end);
  }
  return {};
}

boost::system::error_code RecvBuffer::set_fin(std::uint64_t offset) {
  if (fin_) return *fin_ == offset ? boost::system::error_code{} : errc::bad_frame;
  if (offset > window()) return errc::peer_ahead;
  if (offset < contiguous_ || offset < beyond_.max_end()) return errc::bad_frame;
  fin_ = offset;
  return {};
}

std::size_t RecvBuffer::read(std::span<std::byte> out) {
  const std::size_t n = std::min<std::uint64_t>(out.size(), readable());
  ring_.read_at(read_, out.first(n));
  consume(n);
  return n;
}

void RecvBuffer::consume(std::size_t n) {
  read_ += std::min<std::uint64_t>(n, readable());
  ring_.release_until(read_);
}

void RecvBuffer::free_if_empty() {
  if (contiguous_ != read_ || beyond_.max_end() > contiguous_) return;
  beyond_.free_words();
  ring_.free_if_empty();
}

}  // namespace msocket::session
