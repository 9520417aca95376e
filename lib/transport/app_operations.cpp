#include "transport/app_operations.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>

#include <type_traits>

namespace msocket::transport {

namespace {
// Completes `handler` through `ex` with `args`, detached from its
// cancellation slot (it can no longer be cancelled).
template <class H, class... Args>
void post_completion(const asio::any_io_executor& ex, H handler, Args... args) {
  asio::get_associated_cancellation_slot(handler).clear();
  asio::post(ex, asio::append(std::move(handler), args...));
}

// Why a connection's operations fail: its error, or closed by us.
error_code failure_of(const session::Session& session) {
  return session.error() ? session.error() : error_code(errc::connection_closed);
}

// The most a source is lent at once: as much as a relay read into its own
// buffer before (socat's -b 131072), so one read still moves a large chunk
// and an idle connection's buffer is not grown further than that.
constexpr std::size_t kMostLent = 128 * 1024;

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

// A second operation of a kind completes at once with in_progress; an
// empty buffer at once with nothing.
template <class Pending>
bool AppOperations::add(std::optional<Pending>& slot, Pending pending) {
  if (slot) {
    post_completion(ex_, std::move(pending.handler), error_code(asio::error::in_progress), std::size_t{0});
    return false;
  }
  const bool lends = [&] {
    if constexpr (std::is_same_v<Pending, PendingRead>) return bool(pending.sink);
    else return bool(pending.source);
  }();
  if (!lends && pending.buffer.empty()) {  // nothing to wait for
    post_completion(ex_, std::move(pending.handler), error_code{}, std::size_t{0});
    return false;
  }
  const auto cancel = [] {
    if constexpr (std::is_same_v<Pending, PendingRead>) return &AppOperations::cancel_read;
    else return &AppOperations::cancel_write;
  }();
  watch_cancellation(pending.handler, cancel);
  slot = std::move(pending);
  return true;
}

bool AppOperations::add_read(std::span<std::byte> buffer, Handler handler) {
  return add(read_, PendingRead{buffer, {}, std::move(handler)});
}

bool AppOperations::add_write(std::span<const std::byte> buffer, Handler handler) {
  return add(write_, PendingWrite{buffer, {}, std::move(handler)});
}

bool AppOperations::add_read(Sink sink, Handler handler) {
  return add(read_, PendingRead{{}, std::move(sink), std::move(handler)});
}

bool AppOperations::add_write(Source source, Handler handler) {
  return add(write_, PendingWrite{{}, std::move(source), std::move(handler)});
}

void AppOperations::add_wait(WaitHandler handler) {
  watch_cancellation(handler, &AppOperations::cancel_waits);
  waits_.push_back(std::move(handler));
}

void AppOperations::complete(session::Session& session, TimePoint now) {
  if (read_) complete_read(session, now);
  if (write_) complete_write(session, now);
  if (session.done()) {
    const error_code ec = session.state() == session::State::closed ? error_code{} : failure_of(session);
    for (auto& handler : waits_) post_completion(ex_, std::move(handler), ec);
    waits_.clear();
  }
}

void AppOperations::complete_read(session::Session& session, TimePoint now) {
  error_code ec;
  std::size_t n = 0;
  if (read_->sink) {
    if (const auto bytes = session.read_space(); !bytes.empty()) {
      const auto taken = read_->sink(bytes);
      if (taken) session.consume(n = *taken, now);
      else ec = taken.error();
    }
  } else {
    n = session.read(read_->buffer, now);
  }
  if (n == 0 && !ec && session.read_eof()) ec = asio::error::eof;
  else if (n == 0 && !ec && session.state() == session::State::failed) ec = failure_of(session);
  if (n == 0 && !ec) return;  // nothing yet
  auto handler = std::move(read_->handler);
  read_.reset();
  post_completion(ex_, std::move(handler), ec, n);
}

void AppOperations::complete_write(session::Session& session, TimePoint now) {
  error_code ec;
  std::size_t n = 0;
  if (session.write_closed()) {
    ec = asio::error::broken_pipe;
  } else if (session.done()) {
    ec = failure_of(session);
  } else if (write_->source) {
    if (const auto room = session.write_space(kMostLent); !room.empty()) {
      const auto put = write_->source(room);
      if (!put) ec = put.error();
      else if (*put == 0) ec = asio::error::eof;
      else session.commit_write(n = std::min(*put, room.size()), now);
    }
  } else {
    n = session.write(write_->buffer, now);
  }
  if (n == 0 && !ec) return;  // no room yet
  auto handler = std::move(write_->handler);
  write_.reset();
  post_completion(ex_, std::move(handler), ec, n);
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
