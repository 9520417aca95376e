#include "relay/local_end.hpp"

#include <fcntl.h>
#include <cerrno>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/coroutine.hpp"

namespace msocket::relay {
namespace {

using error_code = boost::system::error_code;

// Reads and writes any Asio stream; EOF becomes a 0-byte read.
template <class Stream>
asio::awaitable<result<std::size_t>> stream_read(Stream& s, std::span<std::byte> out) {
  auto [ec, n] = co_await s.async_read_some(asio::buffer(out.data(), out.size()), use_tuple);
  if (ec == asio::error::eof) co_return std::size_t{0};
  if (ec) co_return ec;
  co_return n;
}

template <class Stream>
asio::awaitable<error_code> stream_write(Stream& s, std::span<const std::byte> bytes) {
  auto [ec, n] = co_await asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), use_tuple);
  (void)n;
  co_return ec;
}

// The same without waiting, on a stream in non-blocking mode: would_block
// when it is not ready.
template <class Stream>
result<std::size_t> stream_read_now(Stream& s, std::span<std::byte> out) {
  error_code ec;
  const auto n = s.read_some(asio::buffer(out.data(), out.size()), ec);
  if (ec == asio::error::eof) return std::size_t{0};
  if (ec) return ec;
  return n;
}

template <class Stream>
result<std::size_t> stream_write_now(Stream& s, std::span<const std::byte> bytes) {
  error_code ec;
  const auto n = s.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec) return ec;
  return n;
}

// Asio takes a regular file (which epoll refuses) as a descriptor and fails
// only a wait on it, with operation_not_supported: such a file is always
// ready.
template <class Stream>
asio::awaitable<error_code> stream_wait(Stream& s, typename Stream::wait_type what) {
  auto [ec] = co_await s.async_wait(what, use_tuple);
  if (ec == asio::error::operation_not_supported) co_return error_code{};
  co_return ec;
}

// A pipe's default 64 KiB is half of what splice moves at once: each chunk
// took two reads (or writes) and two wake-ups. Growing it is best effort
// (the system's pipe-max-size, or the user's pipe quota, may refuse).
constexpr int kPipeSize = 1 << 20;

void grow_pipe(int fd) {
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) (void)::fcntl(fd, F_SETPIPE_SZ, kPipeSize);
}

// One direction of standard I/O: through the reactor when the descriptor
// allows it, else with plain blocking calls (regular files, /dev/null).
class Descriptor {
 public:
  Descriptor(asio::any_io_executor ex, int fd) : fd_(fd), stream_(ex) {
    grow_pipe(fd);
    error_code ec;
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    stream_.assign(copy, ec);
    if (ec) {  // epoll refuses regular files and /dev/null: use plain calls
      if (copy >= 0) ::close(copy);
      async_ = false;
    } else {
      stream_.non_blocking(true, ec);  // for read_now and write_now
    }
  }
  asio::awaitable<result<std::size_t>> read(std::span<std::byte> out) {
    if (async_) co_return co_await stream_read(stream_, out);
    co_return read_now(out);  // a plain call: this descriptor is always ready
  }
  asio::awaitable<error_code> write(std::span<const std::byte> bytes) {
    if (async_) co_return co_await stream_write(stream_, bytes);
    while (!bytes.empty()) {  // plain calls: this descriptor is always ready
      const auto n = write_now(bytes);
      if (!n) co_return n.error();
      bytes = bytes.subspan(*n);
    }
    co_return error_code{};
  }
  // A regular file or /dev/null is always ready: its calls are plain ones.
  asio::awaitable<error_code> wait(asio::posix::stream_descriptor::wait_type what) {
    if (async_) co_return co_await stream_wait(stream_, what);
    co_return error_code{};
  }
  result<std::size_t> read_now(std::span<std::byte> out) {
    if (async_) return stream_read_now(stream_, out);
    for (;;) {
      const auto n = ::read(fd_, out.data(), out.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return error_code(errno, boost::system::system_category());
    }
  }
  result<std::size_t> write_now(std::span<const std::byte> bytes) {
    if (async_) return stream_write_now(stream_, bytes);
    for (;;) {
      const auto n = ::write(fd_, bytes.data(), bytes.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return error_code(errno, boost::system::system_category());
    }
  }
  void close() {
    error_code ignored;
    stream_.close(ignored);
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  asio::posix::stream_descriptor stream_;
  bool async_ = true;
};

class StdioEnd final : public LocalEnd {
 public:
  explicit StdioEnd(asio::any_io_executor ex) : in_(ex, 0), out_(ex, 1) {}
  asio::awaitable<result<std::size_t>> read(std::span<std::byte> out) override { return in_.read(out); }
  asio::awaitable<error_code> write_all(std::span<const std::byte> bytes) override { return out_.write(bytes); }
  // Closing stdout is how the next program in a pipe learns of the EOF.
  void shutdown_write() override { out_.close(); }
  void close() override {
    in_.close();
    out_.close();
  }
  bool direct() const override { return true; }
  asio::awaitable<error_code> wait_readable() override { return in_.wait(asio::posix::descriptor_base::wait_read); }
  asio::awaitable<error_code> wait_writable() override { return out_.wait(asio::posix::descriptor_base::wait_write); }
  result<std::size_t> read_now(std::span<std::byte> out) override { return in_.read_now(out); }
  result<std::size_t> write_now(std::span<const std::byte> bytes) override { return out_.write_now(bytes); }

 private:
  Descriptor in_, out_;
};

template <class Socket>
class SocketEnd final : public LocalEnd {
 public:
  explicit SocketEnd(Socket socket) : socket_(std::move(socket)) {
    error_code ignored;
    socket_.non_blocking(true, ignored);  // for read_now and write_now
  }
  asio::awaitable<result<std::size_t>> read(std::span<std::byte> out) override {
    return stream_read(socket_, out);
  }
  asio::awaitable<error_code> write_all(std::span<const std::byte> bytes) override {
    return stream_write(socket_, bytes);
  }
  void shutdown_write() override {
    error_code ignored;
    socket_.shutdown(Socket::shutdown_send, ignored);
  }
  void close() override {
    error_code ignored;
    socket_.close(ignored);
  }
  bool direct() const override { return true; }
  asio::awaitable<error_code> wait_readable() override { return stream_wait(socket_, Socket::wait_read); }
  asio::awaitable<error_code> wait_writable() override { return stream_wait(socket_, Socket::wait_write); }
  result<std::size_t> read_now(std::span<std::byte> out) override { return stream_read_now(socket_, out); }
  result<std::size_t> write_now(std::span<const std::byte> bytes) override { return stream_write_now(socket_, bytes); }

 protected:
  Socket socket_;
};

class ChildEnd final : public LocalEnd {
 public:
  ChildEnd(asio::local::stream_protocol::socket socket, pid_t pid)
      : executor_(socket.get_executor()), end_(std::move(socket)), pid_(pid) {}
  // Without close() the io_context may be going away with us (mcat's second
  // signal): reap only a child that has exited, watch none.
  ~ChildEnd() override {
    if (pid_ > 0) (void)::waitpid(pid_, nullptr, WNOHANG);
  }
  asio::awaitable<result<std::size_t>> read(std::span<std::byte> out) override { return end_.read(out); }
  asio::awaitable<error_code> write_all(std::span<const std::byte> bytes) override { return end_.write_all(bytes); }
  void shutdown_write() override { end_.shutdown_write(); }
  bool direct() const override { return true; }
  asio::awaitable<error_code> wait_readable() override { return end_.wait_readable(); }
  asio::awaitable<error_code> wait_writable() override { return end_.wait_writable(); }
  result<std::size_t> read_now(std::span<std::byte> out) override { return end_.read_now(out); }
  result<std::size_t> write_now(std::span<const std::byte> bytes) override { return end_.write_now(bytes); }
  // The child usually exits once its input closes, a moment after this.
  void close() override {
    end_.close();
    reap_when_exited(executor_, pid_);
    pid_ = -1;
  }

 private:
  asio::any_io_executor executor_;
  SocketEnd<asio::local::stream_protocol::socket> end_;
  pid_t pid_;
};

}  // namespace

std::unique_ptr<LocalEnd> make_stdio_end(asio::any_io_executor ex) { return std::make_unique<StdioEnd>(ex); }

std::unique_ptr<LocalEnd> make_socket_end(asio::ip::tcp::socket socket) {
  return std::make_unique<SocketEnd<asio::ip::tcp::socket>>(std::move(socket));
}

result<std::unique_ptr<LocalEnd>> make_child_end(asio::any_io_executor ex, const ChildSpec& spec) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return error_code(errno, boost::system::system_category());
  const auto pid = spawn_child(spec, fds[1]);
  ::close(fds[1]);
  if (!pid) {
    ::close(fds[0]);
    return pid.error();
  }
  asio::local::stream_protocol::socket parent(ex);
  error_code ec;
  parent.assign(asio::local::stream_protocol(), fds[0], ec);
  if (ec) {
    ::close(fds[0]);
    reap_when_exited(ex, *pid);
    return ec;
  }
  return std::unique_ptr<LocalEnd>(std::make_unique<ChildEnd>(std::move(parent), *pid));
}

}  // namespace msocket::relay
