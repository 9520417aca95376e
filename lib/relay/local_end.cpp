#include "relay/local_end.hpp"

#include <fcntl.h>
#include <spawn.h>
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

extern char** environ;

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
    const int copy = ::dup(fd);
    stream_.assign(copy, ec);
    if (ec) {  // epoll refuses regular files and /dev/null: use plain calls
      if (copy >= 0) ::close(copy);
      async_ = false;
    }
  }
  asio::awaitable<result<std::size_t>> read(std::span<std::byte> out) {
    if (async_) co_return co_await stream_read(stream_, out);
    const auto n = ::read(fd_, out.data(), out.size());
    if (n < 0) co_return error_code(errno, boost::system::system_category());
    co_return static_cast<std::size_t>(n);
  }
  asio::awaitable<error_code> write(std::span<const std::byte> bytes) {
    if (async_) co_return co_await stream_write(stream_, bytes);
    while (!bytes.empty()) {
      const auto n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) co_return error_code(errno, boost::system::system_category());
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    co_return error_code{};
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

 private:
  Descriptor in_, out_;
};

template <class Socket>
class SocketEnd final : public LocalEnd {
 public:
  explicit SocketEnd(Socket socket) : socket_(std::move(socket)) {}
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

 protected:
  Socket socket_;
};

class ChildEnd final : public LocalEnd {
 public:
  ChildEnd(asio::local::stream_protocol::socket socket, pid_t pid) : end_(std::move(socket)), pid_(pid) {}
  ~ChildEnd() override { reap(); }
  asio::awaitable<result<std::size_t>> read(std::span<std::byte> out) override { return end_.read(out); }
  asio::awaitable<error_code> write_all(std::span<const std::byte> bytes) override { return end_.write_all(bytes); }
  void shutdown_write() override { end_.shutdown_write(); }
  void close() override {
    end_.close();
    reap();
  }

 private:
  void reap() {
    if (pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == pid_) pid_ = -1;
  }
  SocketEnd<asio::local::stream_protocol::socket> end_;
  pid_t pid_;
};

}  // namespace

std::unique_ptr<LocalEnd> make_stdio_end(asio::any_io_executor ex) { return std::make_unique<StdioEnd>(ex); }

std::unique_ptr<LocalEnd> make_socket_end(asio::ip::tcp::socket socket) {
  return std::make_unique<SocketEnd<asio::ip::tcp::socket>>(std::move(socket));
}

result<std::unique_ptr<LocalEnd>> make_child_end(asio::any_io_executor ex, const ChildSpec& spec) {
  if (spec.argv.empty()) return error_code(EINVAL, boost::system::system_category());
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return error_code(errno, boost::system::system_category());
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);

  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  env_store.insert(env_store.end(), spec.env.begin(), spec.env.end());
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return error_code(rc, boost::system::system_category());
  }
  asio::local::stream_protocol::socket parent(ex);
  error_code ec;
  parent.assign(asio::local::stream_protocol(), fds[0], ec);
  if (ec) {
    ::close(fds[0]);
    return ec;
  }
  return std::unique_ptr<LocalEnd>(std::make_unique<ChildEnd>(std::move(parent), pid));
}

}  // namespace msocket::relay
