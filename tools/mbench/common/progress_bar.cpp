#include "common/progress_bar.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace msocket::mbench {

namespace {

constexpr int kWidth = 30;

}  // namespace

ProgressBar::ProgressBar(std::string what, std::uint64_t total)
    : what_(std::move(what)), total_(total), terminal_(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  if (terminal_) std::fprintf(stderr, "\r\033[K");
}

void ProgressBar::show(std::uint64_t done) const {
  if (!terminal_ || total_ == 0) return;
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r  %s [%s] %3.0f%%\033[K", what_.c_str(), bar.c_str(), fraction * 100);
}

}  // namespace msocket::mbench
