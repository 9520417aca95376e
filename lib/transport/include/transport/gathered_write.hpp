// Writing a flowpath's frames with their DATA payloads still in the
// session's output buffer (session::PayloadRef): the frame prefixes and the
// payload slices go to the kernel in one gathered write, without a copy in
// user space. What the socket cannot take at once is copied into the frame
// buffer and written from there (the slices do not outlive the next call on
// the session).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <span>
#include <vector>

#include <boost/system/error_code.hpp>

#include "session/payload_ref.hpp"

namespace msocket::transport {

// `frames` (poll_transmit's output, with the places of `payloads` left
// unwritten) and the payload slices, in stream order, as iovecs in `out`
// (cleared first). Empty pieces are left out.
void gather_pieces(std::span<const std::byte> frames, std::span<const session::PayloadRef> payloads,
                   std::vector<iovec>& out);

// Copies into their places in `frames` the payload bytes at or after byte
// `from` of `frames` (the part of a payload that straddles `from` too), so
// that frames[from, end) can then be written as it stands.
void fill_payloads(std::span<std::byte> frames, std::span<const session::PayloadRef> payloads, std::size_t from);

// Writes what the socket `fd` takes of `pieces` without waiting; returns the
// bytes written: 0 if it has no room. Errors other than would_block go to
// `ec` (the path has failed). Never raises SIGPIPE.
std::size_t write_pieces_now(int fd, std::span<const iovec> pieces, boost::system::error_code& ec);

}  // namespace msocket::transport
