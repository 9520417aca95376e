// The results of `mbench multipath`: per file size and scheme the median
// download time, its goodput and how it compares with the sum of the
// paths' rates, with the best single path and with the Ideal bound; bytes
// per path and MPTCP's subflows. A table, JSON, CSV, a Fig. 10-shaped
// chart (download time against file size, one curve per scheme) and a
// timeline per scheme (bytes received so far, per client device and in all).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/download_table.hpp"
#include "multipath/download_schemes.hpp"

namespace msocket::mbench {

struct SchemeResults {
  std::string name;
  SchemeKind kind;
  std::vector<SchemeOutcome> cases;  // one per size
};

struct MultipathResults {
  std::array<testbed::PathShape, 2> paths;
  std::vector<std::uint64_t> sizes;
  std::vector<SchemeResults> schemes;
  std::vector<std::string> notes;
};

// The paper's Ideal (every byte on whichever path delivers it first, both
// paths full from the first byte): the server may send 1.5 RTT0 after the
// client's SYN (RTT0: the quicker path's); path i then delivers at r_i after
// its one-way delay d_i, so S bytes are in at
//   T = 1.5 RTT0 + (8 S + r0 d0 + r1 d1) / (r0 + r1),
// or, when that leaves a path no time to deliver, at the single-path bound
// 1.5 RTT0 + 8 S / r_i + d_i. Seconds.
double ideal_seconds(const std::array<testbed::PathShape, 2>& paths, std::uint64_t bytes);

DownloadTable multipath_table(const MultipathResults& results, unsigned runs);

// DIR/multipath.{gp,png,svg}, from `runs` runs per size; throws if gnuplot fails.
void plot_multipath(const MultipathResults& results, unsigned runs, const std::filesystem::path& dir);
// DIR/multipath-timeline.{gp,png,svg}: per scheme, the first download of
// the largest size it completed; throws if gnuplot fails.
void plot_multipath_timeline(const MultipathResults& results, const std::filesystem::path& dir);

// Table, --json, --csv, and --plot DIR (plot_multipath).
void write_multipath_results(const MultipathResults& results, unsigned runs, const OutputOptions& output);

}  // namespace msocket::mbench
