// A small blocking facade for BSD-socket-style programs: each call waits for
// its result. The connection runs on a private io_context thread, so it
// keeps following moves while the program is busy elsewhere.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "msocket/error.hpp"
#include "msocket/options.hpp"
#include "msocket/stats.hpp"

namespace msocket::blocking {

class stream {
 public:
  // Errors: as msocket::async_connect.
  static result<stream> connect(const std::string& host, const std::string& port, const Options& options = {});

  stream(stream&&) noexcept;
  stream& operator=(stream&&) noexcept;
  ~stream();  // aborts a connection that was not closed

  // Bytes read into `out`; 0 at the peer's EOF. Errors: the connection's.
  result<std::size_t> read_some(std::span<std::byte> out);
  // Writes all of `bytes` (waits for room). Errors: the connection's,
  // asio::error::broken_pipe after shutdown_write().
  result<void> write_all(std::span<const std::byte> bytes);
  void shutdown_write();
  // shutdown_write, then waits until the peer has finished too.
  result<void> close();
  Stats stats();

 private:
  struct Impl;
  explicit stream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace msocket::blocking
