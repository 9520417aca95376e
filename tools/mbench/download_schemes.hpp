// What `mbench multipath` and `mbench handover` download with, on the
// two-path testbed: msocket (mcat), kernel MPTCP and plain TCP (mbench's own
// mptcp-serve and mptcp-fetch), and the options that shape the two paths.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "pattern_download.hpp"
#include "two_path_testbed.hpp"

namespace msocket::mbench {

enum class SchemeKind { msocket, mptcp, single_path };

struct Scheme {
  std::string name;  // "msocket rr", "mptcp", "tcp wifi"
  SchemeKind kind;
  DownloadTool tool;
};

// The downloads of one scheme in one case (a size, a handover), and why
// there are fewer than asked (MPTCP unavailable, a download failed).
struct SchemeOutcome {
  std::vector<PatternDownloadResult> runs;
  std::optional<std::string> problem;
  unsigned most_subflows = 0;  // MPTCP: the most subflows the client saw
};

// mcat -l sends its stdin; the client receives over the flowpaths that
// `client_paths` asks for (e.g. -s ADDR0 -s ADDR1, or --paths all).
// `scheduler`: passed to both ends with --scheduler unless empty.
DownloadTool msocket_tool(const std::filesystem::path& mcat, const std::string& name, const std::string& scheduler,
                          std::vector<std::string> client_paths);
// A flowpath from each client address: -s ADDR0 -s ADDR1.
DownloadTool msocket_multipath_tool(const std::filesystem::path& mcat, const std::string& scheduler,
                                    bool pass_scheduler);
// mbench mptcp-serve / mptcp-fetch (`self` is mbench), MPTCP or plain TCP,
// the client bound to `bind` when given.
DownloadTool socket_tool(const std::filesystem::path& self, const std::string& name, bool mptcp,
                         const std::optional<std::string>& bind);

// A download of `bytes` from the server to the client of `testbed`, with
// a timeout that leaves room for the slowest path.
PatternDownloadPlan download_plan(const TwoPathTestbed& testbed, std::uint64_t bytes, const std::filesystem::path& log_dir);

// Runs one download into `outcome`; a failure (not an interruption) is
// recorded as its problem instead of ending the benchmark.
void run_counted(const Scheme& scheme, const PatternDownloadPlan& plan, SchemeOutcome& outcome);

// --wifi-rate, --wifi-rtt, --lte-rate, --lte-rtt, and reading them back
// (throws UsageError for a malformed value).
void add_path_shape_options(boost::program_options::options_description& description);
std::array<PathShape, 2> read_path_shape_options(const boost::program_options::variables_map& options);
// "wifi 40mbit 80 ms RTT, lte 20mbit 145 ms RTT"
std::string describe_paths(const std::array<PathShape, 2>& paths);

}  // namespace msocket::mbench
