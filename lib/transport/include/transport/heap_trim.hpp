// Giving freed buffer memory back to the system, not only to the allocator.
// An idle connection frees its buffers (docs/architecture.md, "What an idle
// connection holds"), but glibc keeps freed pages that lie between live
// allocations resident: a server whose thousands of connections each held
// tens of KiB for a moment would keep that peak for good. So once buffers
// were freed, the process asks glibc to return the free pages
// (malloc_trim), at most once per kTrimInterval per io_context.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "msocket/types.hpp"

namespace msocket::transport {

inline constexpr Duration kTrimInterval = std::chrono::seconds(1);

// Buffers were freed on `ex`'s io_context: trims the heap within
// kTrimInterval, once for every request made meanwhile. Nothing where the
// C library has no malloc_trim.
void trim_heap_soon(const boost::asio::any_io_executor& ex);

}  // namespace msocket::transport
