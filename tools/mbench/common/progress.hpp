// Progress of a benchmark on stderr: one line per step ("mbench names
// [2/6]: ..."), so that a run of several seconds shows where it is; stdout
// keeps only the results.
#pragma once

#include <string>

namespace msocket::mbench {

class Progress {
 public:
  Progress(std::string benchmark, int steps) : benchmark_(std::move(benchmark)), steps_(steps) {}
  // Announces the next step.
  void step(const std::string& what);
  // A line about the current step (no step number).
  void note(const std::string& what) const;

 private:
  std::string benchmark_;
  int steps_;
  int done_ = 0;
};

}  // namespace msocket::mbench
