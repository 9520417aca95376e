// A bar on stderr that redraws itself while a long step runs (a download
// of several seconds), when stderr is a terminal; nothing otherwise, so that
// logs and CI output keep only Progress's one line per step.
#pragma once

#include <cstdint>
#include <string>

namespace msocket::mbench {

class ProgressBar {
 public:
  // `what` is shown before the bar; `total` is what done() counts up to.
  ProgressBar(std::string what, std::uint64_t total);
  // Clears the line.
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // "  wifi 16 MiB [##########..........]  50%"
  void show(std::uint64_t done) const;

 private:
  std::string what_;
  std::uint64_t total_;
  bool terminal_;
};

}  // namespace msocket::mbench
