// The results of `mbench handover`: per case (one or two paths, which path
// is lost) and scheme (msocket, kernel MPTCP) the download time, when the
// path was lost, the longest stall after it, the bytes on each client
// device and the goodput before and after; in JSON the series per 100 ms
// (goodput, running totals, the rate over 500 ms); charts shaped as the
// paper's Figs. 13-16 (bytes received so far against time, per device and
// in all, the rate over 500 ms, the loss a labelled line).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "common/download_table.hpp"
#include "multipath/download_schemes.hpp"

namespace msocket::mbench {

struct HandoverCase {
  std::size_t paths = 1;  // flowpaths (subflows) used from the start: 1 or 2
  std::size_t lost = 0;   // the path whose address goes away at 1/3
  // "one path, wifi lost (moves to lte)", "two paths, lte lost"
  std::string describe(const std::array<testbed::PathShape, 2>& shapes) const;
  std::string key(const std::array<testbed::PathShape, 2>& shapes) const;  // "one-path-wifi-lost"
};

struct HandoverCaseResult {
  HandoverCase handover;
  std::vector<std::pair<std::string, SchemeOutcome>> schemes;  // "msocket", "mptcp"
};

struct HandoverResults {
  std::array<testbed::PathShape, 2> paths;
  std::uint64_t bytes = 0;
  std::vector<HandoverCaseResult> cases;
  std::vector<std::string> notes;
};

DownloadTable handover_table(const HandoverResults& results);

// DIR/handover.{gp,png,svg}; throws if gnuplot fails.
void plot_handover(const HandoverResults& results, const std::filesystem::path& dir);

// Table, --json, --csv, and --plot DIR (plot_handover).
void write_handover_results(const HandoverResults& results, const OutputOptions& output);

}  // namespace msocket::mbench
