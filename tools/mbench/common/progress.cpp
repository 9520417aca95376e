#include "common/progress.hpp"

#include <cstdio>

namespace msocket::mbench {

void Progress::step(const std::string& what) {
  ++done_;
  std::fprintf(stderr, "mbench %s [%d/%d]: %s\n", benchmark_.c_str(), done_, steps_, what.c_str());
}

void Progress::note(const std::string& what) const {
  std::fprintf(stderr, "mbench %s: %s\n", benchmark_.c_str(), what.c_str());
}

}  // namespace msocket::mbench
