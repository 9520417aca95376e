// Splices an msocket stream with a local end (stdio, a TCP socket, a child),
// with ncat's end-of-file rules: local EOF half-closes the stream and reading
// goes on; the peer's EOF half-closes the local end, and either ends the
// splice at once (standard I/O: SpliceOptions::end_at_peer_eof) or lets the
// local end finish its side (a child, a socket). Every end is the stream's
// own (FIN, then the close): flowpath losses do not end a splice.
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>

#include "msocket/stream.hpp"
#include "relay/local_end.hpp"

namespace msocket::relay {

struct SpliceOptions {
  // local -> peer; false: read nothing locally and send nothing, not even an
  // EOF before the splice ends (--recv-only, a -k listener's connections)
  bool send = true;
  bool receive = true;     // peer -> local; false: discard what arrives (--send-only)
  bool half_close = true;  // false: keep our direction open at local EOF (--no-shutdown)
  // The peer's EOF ends the splice: the local output is closed, local input
  // no longer read, our direction half-closed, the close awaited (ncat with
  // standard I/O). false: the splice ends when both directions have.
  bool end_at_peer_eof = false;
  std::optional<Duration> idle_timeout;    // -i: no byte either way for this long
  std::optional<Duration> quit_after_eof;  // -q: quit this long after local EOF
};

// Errors: the connection's, a local read/write error, or
// asio::error::timed_out when the idle timeout ran out. A quit by -q is not
// an error.
asio::awaitable<boost::system::error_code> splice(msocket::stream& stream, LocalEnd& local,
                                                  const SpliceOptions& options);

// Ends every splice running in this process in order (SIGINT, SIGTERM):
// local input is no longer read, our direction is half-closed and the peer's
// close awaited for `grace`; a peer that has not closed by then is reset.
// The splice then completes without error, or with asio::error::timed_out
// if the peer had to be reset.
void stop_all_splices(Duration grace);

}  // namespace msocket::relay
