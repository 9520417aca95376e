#include "transport/app_operations.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

namespace msocket::transport {

namespace {
// Completes `handler` through `ex` with `args`, detached from its
// cancellation slot (it can no longer be cancelled).
template <class H, class... Args>
void post_completion(const asio::any_io_executor& ex, H handler, Args... args) {
  asio::get_associated_cancellation_slot(handler).clear();
  asio::post(ex, asio::append(std::move(handler), args...));
}
}  // namespace

// Lets `||` on awaitables and cancel_after-style callers cancel a wait.
template <class H>
void AppOperations::watch_cancellation(H& handler, void (AppOperations::*cancel)()) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (!slot.is_connected()) return;
  std::weak_ptr<AppOperations> weak = shared_from_this();
  slot.assign([weak, cancel](asio::cancellation_type) {
    if (auto self = weak.lock()) ((*self).*cancel)();
  });
}

bool AppOperations::add_read(std::span<std::byte> buffer, Handler handler) {
  if (read_) {
    post_completion(ex_, std::move(handler), error_code(asio::error::in_progress), std::size_t{0});
    return false;
  }
  if (buffer.empty()) {
    post_completion(ex_, std::move(handler), error_code{}, std::size_t{0});
    return false;
  }
  watch_cancellation(handler, &AppOperations::cancel_read);
  read_ = PendingRead{buffer, std::move(handler)};
  return true;
}

bool AppOperations::add_write(std::span<const std::byte> buffer, Handler handler) {
  if (write_) {
    post_completion(ex_, std::move(handler), error_code(asio::error::in_progress), std::size_t{0});
    return false;
  }
  if (buffer.empty()) {  // nothing to wait for room for
    post_completion(ex_, std::move(handler), error_code{}, std::size_t{0});
    return false;
  }
  watch_cancellation(handler, &AppOperations::cancel_write);
  write_ = PendingWrite{buffer, std::move(handler)};
  return true;
}

void AppOperations::add_wait(WaitHandler handler) {
  watch_cancellation(handler, &AppOperations::cancel_waits);
  waits_.push_back(std::move(handler));
}

void AppOperations::complete(session::Session& session, TimePoint now) {
  const auto failure = [&] { return session.error() ? session.error() : error_code(errc::connection_closed); };
  if (read_) {
    error_code ec;
    const std::size_t n = session.read(read_->buffer, now);
    if (n == 0 && session.read_eof()) ec = asio::error::eof;
    else if (n == 0 && session.state() == session::State::failed) ec = failure();
    if (n > 0 || ec) {
      auto handler = std::move(read_->handler);
      read_.reset();
      post_completion(ex_, std::move(handler), ec, n);
    }
  }
  if (write_) {
    error_code ec;
    const std::size_t n = session.write(write_->buffer, now);
    if (n == 0 && session.write_closed()) ec = asio::error::broken_pipe;
    else if (n == 0 && session.done()) ec = failure();
    if (n > 0 || ec) {
      auto handler = std::move(write_->handler);
      write_.reset();
      post_completion(ex_, std::move(handler), ec, n);
    }
  }
  if (session.done()) {
    const error_code ec = session.state() == session::State::closed ? error_code{} : failure();
    for (auto& handler : waits_) post_completion(ex_, std::move(handler), ec);
    waits_.clear();
  }
}

void AppOperations::cancel_read() {
  if (!read_) return;
  auto handler = std::move(read_->handler);
  read_.reset();
  post_completion(ex_, std::move(handler), error_code(asio::error::operation_aborted), std::size_t{0});
}

void AppOperations::cancel_write() {
  if (!write_) return;
  auto handler = std::move(write_->handler);
  write_.reset();
  post_completion(ex_, std::move(handler), error_code(asio::error::operation_aborted), std::size_t{0});
}

void AppOperations::cancel_waits() {
  for (auto& handler : waits_) post_completion(ex_, std::move(handler), error_code(asio::error::operation_aborted));
  waits_.clear();
}

}  // namespace msocket::transport
