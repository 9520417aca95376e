// What `mbench multipath`, `handover` and `energy` download with, on the
// two-path testbed: msocket (mcat), kernel MPTCP and plain TCP (mbench's own
// mptcp-serve and mptcp-fetch); the options that shape the two paths, and
// the testbed built from them.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "common/benchmark_options.hpp"
#include "common/progress.hpp"
#include "multipath/pattern_download.hpp"
#include "testbed/two_path_testbed.hpp"

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
// mbench mptcp-serve / mptcp-fetch (this mbench), MPTCP or plain TCP, the
// client bound to `bind` when given.
DownloadTool socket_tool(const std::string& name, bool mptcp, const std::optional<std::string>& bind);
// Kernel MPTCP as a scheme.
Scheme mptcp_scheme();

// A download of `bytes` from the server to the client of `testbed`, with
// a timeout that leaves room for the slowest path.
PatternDownloadPlan download_plan(const testbed::TwoPathTestbed& testbed, std::uint64_t bytes, const std::filesystem::path& log_dir);

// Runs one download into `outcome`; a failure (not an interruption) is
// recorded as its problem instead of ending the benchmark.
void run_counted(const Scheme& scheme, const PatternDownloadPlan& plan, SchemeOutcome& outcome);
// True, with the problem recorded in `outcome`, when `scheme` is kernel
// MPTCP and `mptcp_problem` (from testbed::enable_mptcp) says it cannot run.
bool unavailable(const Scheme& scheme, const std::optional<std::string>& mptcp_problem, SchemeOutcome& outcome);

// --wifi-rate, --wifi-rtt, --lte-rate, --lte-rtt, and reading them back
// (throws UsageError for a malformed value).
void add_path_shape_options(boost::program_options::options_description& description);
// Those and --mcat: the options of every benchmark on the two-path testbed.
void add_two_path_options(BenchmarkOptions& command_line);
std::array<testbed::PathShape, 2> read_path_shape_options(const boost::program_options::variables_map& options);
// "wifi 40mbit 80 ms RTT, lte 20mbit 145 ms RTT"
std::string describe_paths(const std::array<testbed::PathShape, 2>& paths);

// The two-path testbed of `paths` (mbench link on each path, logs in
// `log_dir`), announced as a step of `progress`. Throws as its constructor.
std::unique_ptr<testbed::TwoPathTestbed> build_two_path_testbed(const std::array<testbed::PathShape, 2>& paths,
                                                                const std::filesystem::path& log_dir,
                                                                Progress& progress);

}  // namespace msocket::mbench
