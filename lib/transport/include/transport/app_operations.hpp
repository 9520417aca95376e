// The application's operations waiting on a connection: at most one read
// and one write, and any number of waits for its end. The connection offers
// them to the session after each event (complete); each completes through
// the executor, never inside the call that made it ready.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>

#include "session/session.hpp"

namespace msocket::transport {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

class AppOperations : public std::enable_shared_from_this<AppOperations> {
 public:
  using Handler = asio::any_completion_handler<void(error_code, std::size_t)>;
  using WaitHandler = asio::any_completion_handler<void(error_code)>;
  // A read that lends the connection's own bytes instead of copying them
  // (msocket::stream::Sink), and a write that fills its output buffer in
  // place (msocket::stream::Source).
  using Sink = std::function<result<std::size_t>(std::span<const std::byte>)>;
  using Source = std::function<result<std::size_t>(std::span<std::byte>)>;

  explicit AppOperations(asio::any_io_executor ex) : ex_(std::move(ex)) {}

  // A read completes with the bytes read, asio::error::eof at the peer's
  // FIN, or the connection's error; a write with the bytes accepted into the
  // output buffer (it waits for room), asio::error::broken_pipe after
  // shutdown_write, or the connection's error; a wait when the connection is
  // closed (ok) or failed (its error). A second read or write while one is
  // outstanding completes at once with asio::error::in_progress. A
  // cancellation (e.g. by `||`) completes it with operation_aborted.
  // Each returns false if it completed the handler already (no need to ask
  // the session).
  bool add_read(std::span<std::byte> buffer, Handler handler);
  bool add_write(std::span<const std::byte> buffer, Handler handler);
  // The same with a sink or a source. A sink's or source's error completes
  // the operation with it (nothing taken); a source's 0 with
  // asio::error::eof.
  bool add_read(Sink sink, Handler handler);
  bool add_write(Source source, Handler handler);
  void add_wait(WaitHandler handler);

  // Completes what the session's state allows now.
  void complete(session::Session& session, TimePoint now);

 private:
  template <class H>
  void watch_cancellation(H& handler, void (AppOperations::*cancel)());
  void cancel_read();
  void cancel_write();
  void cancel_waits();

  template <class Pending>
  bool add(std::optional<Pending>& slot, Pending pending);
  void complete_read(session::Session& session, TimePoint now);
  void complete_write(session::Session& session, TimePoint now);

  struct PendingRead { std::span<std::byte> buffer; Sink sink; Handler handler; };
  struct PendingWrite { std::span<const std::byte> buffer; Source source; Handler handler; };
  asio::any_io_executor ex_;
  std::optional<PendingRead> read_;
  std::optional<PendingWrite> write_;
  std::vector<WaitHandler> waits_;
};

}  // namespace msocket::transport
