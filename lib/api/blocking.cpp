#include "msocket/blocking.hpp"

#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "msocket/connect.hpp"

namespace msocket::blocking {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

struct stream::Impl {
  asio::io_context context;
  asio::executor_work_guard<asio::io_context::executor_type> work{context.get_executor()};
  std::thread thread{[this] { context.run(); }};
  msocket::stream s;
  bool closed = false;

  ~Impl() {
    asio::post(context, [this] {
      if (s.is_open() && !closed) s.abort();
      work.reset();
    });
    thread.join();
  }

  // Runs `op` on the connection's thread and waits for the value it sets.
  template <class T, class Op>
  T run(Op op) {
    std::promise<T> promise;
    auto future = promise.get_future();
    asio::post(context, [&] { op(promise); });
    return future.get();
  }
};

stream::stream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
stream::stream(stream&&) noexcept = default;
stream& stream::operator=(stream&&) noexcept = default;
stream::~stream() = default;

result<stream> stream::connect(const std::string& host, const std::string& port, const Options& options) {
  auto impl = std::make_unique<Impl>();
  auto* raw = impl.get();
  auto ec = raw->run<error_code>([&](std::promise<error_code>& p) {
    async_connect(raw->context.get_executor(), host, port, options,
                  [raw, &p](error_code ec, msocket::stream s) {
                    raw->s = std::move(s);
                    p.set_value(ec);
                  });
  });
  if (ec) return ec;
  return stream(std::move(impl));
}

result<std::size_t> stream::read_some(std::span<std::byte> out) {
  using R = std::pair<error_code, std::size_t>;
  auto [ec, n] = impl_->run<R>([&](std::promise<R>& p) {
    impl_->s.async_read_some(asio::buffer(out.data(), out.size()),
                             [&p](error_code ec, std::size_t n) { p.set_value({ec, n}); });
  });
  if (ec == asio::error::eof) return std::size_t{0};
  if (ec) return ec;
  return n;
}

result<void> stream::write_all(std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    using R = std::pair<error_code, std::size_t>;
    auto [ec, n] = impl_->run<R>([&](std::promise<R>& p) {
      impl_->s.async_write_some(asio::buffer(bytes.data(), bytes.size()),
                                [&p](error_code ec, std::size_t n) { p.set_value({ec, n}); });
    });
    if (ec) return ec;
    bytes = bytes.subspan(n);
  }
  return {};
}

void stream::shutdown_write() {
  impl_->run<int>([&](std::promise<int>& p) {
    impl_->s.shutdown_write();
    p.set_value(0);
  });
}

result<void> stream::close() {
  auto ec = impl_->run<error_code>([&](std::promise<error_code>& p) {
    impl_->s.shutdown_write();
    impl_->s.async_wait_closed([&p](error_code ec) { p.set_value(ec); });
  });
  impl_->closed = true;
  if (ec) return ec;
  return {};
}

Stats stream::stats() {
  return impl_->run<Stats>([&](std::promise<Stats>& p) { p.set_value(impl_->s.stats()); });
}

}  // namespace msocket::blocking
