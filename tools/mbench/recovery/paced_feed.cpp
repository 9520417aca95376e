#include "recovery/paced_feed.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace msocket::mbench {

PacedFeed::PacedFeed(std::size_t pipes, std::size_t chunk, std::chrono::milliseconds interval)
    : written_(pipes, 0), chunk_(chunk), interval_(interval) {
  for (std::size_t i = 0; i < pipes; ++i) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      const std::string why = std::strerror(errno);
      finish();
      throw std::runtime_error("pipe: " + why);
    }
    ::fcntl(fds[1], F_SETFL, ::fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    read_ends_.push_back(fds[0]);
    write_ends_.push_back(fds[1]);
  }
}

PacedFeed::~PacedFeed() {
  finish();
  for (std::size_t i = 0; i < read_ends_.size(); ++i) close_read_end(i);
}

void PacedFeed::close_read_end(std::size_t i) {
  if (read_ends_[i] >= 0) ::close(read_ends_[i]);
  read_ends_[i] = -1;
}

void PacedFeed::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void PacedFeed::finish() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  for (auto& fd : write_ends_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

// Printable bytes, so that a log of the stream stays readable.
void PacedFeed::run() {
  const std::string data(chunk_, 'm');
  auto next = std::chrono::steady_clock::now();
  while (!stopping_) {
    for (std::size_t i = 0; i < write_ends_.size(); ++i) {
      if (write_ends_[i] < 0) continue;
      const auto n = ::write(write_ends_[i], data.data(), data.size());
      if (n > 0) written_[i] += static_cast<std::size_t>(n);
      // EPIPE: that client is gone; its absence is reported by whoever waits for it.
      if (n < 0 && errno == EPIPE) {
        ::close(write_ends_[i]);
        write_ends_[i] = -1;
      }
    }
    next += interval_;
    std::this_thread::sleep_until(next);
  }
}

}  // namespace msocket::mbench
