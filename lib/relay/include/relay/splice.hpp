// Splices an msocket stream with a local end (stdio, a TCP socket, a child),
// with netcat's end-of-file rules: local EOF half-closes the stream, the
// peer's EOF half-closes the local end, and the splice ends when both
// directions are done and the connection has closed.
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "msocket/stream.hpp"
#include "relay/local_end.hpp"

namespace msocket::relay {

struct SpliceOptions {
  bool send = true;        // local -> peer; false: half-close at once (--recv-only)
  bool receive = true;     // peer -> local; false: discard what arrives (--send-only)
  bool half_close = true;  // false: keep our direction open at local EOF (--no-shutdown)
  std::optional<Duration> idle_timeout;    // -i: no byte either way for this long
  std::optional<Duration> quit_after_eof;  // -q: quit this long after local EOF
};

// Errors: the connection's, a local read/write error, or
// asio::error::timed_out when the idle timeout ran out. A quit by -q is not
// an error.
asio::awaitable<boost::system::error_code> splice(msocket::stream& stream, LocalEnd& local,
                                                  const SpliceOptions& options);

}  // namespace msocket::relay
