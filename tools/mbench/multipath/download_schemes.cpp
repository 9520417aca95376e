#include "multipath/download_schemes.hpp"

#include <algorithm>
#include <fstream>

#include "common/command_line.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "testbed/interruption.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

DownloadTool msocket_tool(const std::filesystem::path& mcat, const std::string& name, const std::string& scheduler,
                          std::vector<std::string> client_paths) {
  const std::string m = mcat.string();
  std::vector<std::string> policy;
  if (!scheduler.empty()) policy = {"--scheduler", scheduler};
  return {name,
          [m, policy](const std::string& address) {
            std::vector<std::string> argv{m, "-l", "-v", "--send-only"};
            argv.insert(argv.end(), policy.begin(), policy.end());
            argv.insert(argv.end(), {address, "0"});
            return argv;
          },
          [m, policy, client_paths](const std::string& address, unsigned short port) {
            std::vector<std::string> argv{m, "-v", "--recv-only"};
            argv.insert(argv.end(), policy.begin(), policy.end());
            argv.insert(argv.end(), client_paths.begin(), client_paths.end());
            argv.insert(argv.end(), {address, std::to_string(port)});
            return argv;
          }};
}

DownloadTool msocket_multipath_tool(const std::filesystem::path& mcat, const std::string& scheduler,
                                    bool pass_scheduler) {
  return msocket_tool(mcat, "msocket " + scheduler, pass_scheduler ? scheduler : "",
                      {"-s", testbed::TwoPathTestbed::client_address(0), "-s", testbed::TwoPathTestbed::client_address(1)});
}

DownloadTool socket_tool(const std::string& name, bool mptcp, const std::optional<std::string>& bind) {
  const std::string s = self_path().string();
  std::vector<std::string> protocol;
  if (!mptcp) protocol.push_back("--tcp");
  return {name,
          [s, protocol](const std::string& address) {
            std::vector<std::string> argv{s, "mptcp-serve"};
            argv.insert(argv.end(), protocol.begin(), protocol.end());
            argv.push_back(address);
            return argv;
          },
          [s, protocol, bind](const std::string& address, unsigned short port) {
            std::vector<std::string> argv{s, "mptcp-fetch"};
            argv.insert(argv.end(), protocol.begin(), protocol.end());
            if (bind) argv.insert(argv.end(), {"--bind", *bind});
            argv.insert(argv.end(), {address, std::to_string(port)});
            return argv;
          }};
}

Scheme mptcp_scheme() { return {"mptcp", SchemeKind::mptcp, socket_tool("mptcp", true, std::nullopt)}; }

PatternDownloadPlan download_plan(const testbed::TwoPathTestbed& testbed, std::uint64_t bytes, const std::filesystem::path& log_dir) {
  PatternDownloadPlan plan;
  plan.bytes = bytes;
  plan.client_namespace = testbed.client_namespace();
  plan.server_namespace = testbed.server_namespace();
  plan.server_address = testbed::TwoPathTestbed::server_address();
  plan.log_dir = log_dir;
  plan.device_bytes = [&testbed] {
    const auto devices = testbed.client_device_bytes();
    return std::array<std::uint64_t, 2>{devices[0].received, devices[1].received};
  };
  const auto slowest = std::min(testbed.path(0).rate, testbed.path(1).rate);
  // A minute, and four times what the slowest path needs alone.
  plan.timeout = 1min;
  if (slowest > 0) plan.timeout += std::chrono::seconds(4 * bytes * 8 / slowest);
  return plan;
}

namespace {

// "mbench mptcp-fetch: received N bytes; subflows at most K" -> K.
unsigned subflows_in(const std::filesystem::path& client_log) {
  std::ifstream in(client_log);
  static const std::string kMarker = "subflows at most ";
  for (std::string line; std::getline(in, line);)
    if (const auto at = line.find(kMarker); at != std::string::npos)
      return static_cast<unsigned>(std::stoul(line.substr(at + kMarker.size())));
  return 0;
}

}  // namespace

void run_counted(const Scheme& scheme, const PatternDownloadPlan& plan, SchemeOutcome& outcome) {
  try {
    outcome.runs.push_back(run_pattern_download(scheme.tool, plan));
    const auto& r = outcome.runs.back();
    log::tool()->info("{}: {} bytes in {:.3f} s; device bytes {} / {}", scheme.name, r.bytes, r.seconds,
                      r.device_bytes[0], r.device_bytes[1]);
    if (scheme.kind == SchemeKind::mptcp)
      outcome.most_subflows = std::max(outcome.most_subflows, subflows_in(plan.log_dir / "client.log"));
  } catch (const testbed::Interrupted&) {
    throw;
  } catch (const std::runtime_error& e) {
    log::tool()->warn("{}: {}", scheme.name, e.what());
    outcome.problem = std::string("failed: ") + e.what();
  }
}

bool unavailable(const Scheme& scheme, const std::optional<std::string>& mptcp_problem, SchemeOutcome& outcome) {
  if (scheme.kind != SchemeKind::mptcp || !mptcp_problem) return false;
  outcome.problem = "unavailable: " + *mptcp_problem;
  return true;
}

void add_path_shape_options(boost::program_options::options_description& description) {
  namespace po = boost::program_options;
  description.add_options()
      ("wifi-rate", po::value<std::string>(), "rate of path 0, eth0 \"wifi\", each way (default 40mbit)")
      ("wifi-rtt", po::value<std::string>(), "RTT of path 0 (default 80ms)")
      ("lte-rate", po::value<std::string>(), "rate of path 1, eth1 \"lte\", each way (default 20mbit)")
      ("lte-rtt", po::value<std::string>(), "RTT of path 1 (default 145ms)");
}

void add_two_path_options(BenchmarkOptions& command_line) {
  add_path_shape_options(command_line.description());
  command_line.add_program("mcat", "measure");
}

std::array<testbed::PathShape, 2> read_path_shape_options(const boost::program_options::variables_map& options) {
  auto paths = testbed::default_path_shapes();
  for (auto& path : paths) {
    const auto rate_option = path.name + "-rate", rtt_option = path.name + "-rtt";
    if (options.count(rate_option))
      path.rate = parse_rate_option(rate_option, options[rate_option].as<std::string>(), false, "e.g. 40mbit");
    if (options.count(rtt_option)) {
      const auto rtt = parse_time_option(rtt_option, options[rtt_option].as<std::string>());
      if (rtt > 10s) throw UsageError("--" + rtt_option + " must be at most 10s");
      path.rtt = std::chrono::duration_cast<std::chrono::microseconds>(rtt);
    }
  }
  return paths;
}

std::string describe_paths(const std::array<testbed::PathShape, 2>& paths) {
  std::string text;
  for (const auto& p : paths)
    text += (text.empty() ? "" : ", ") + p.name + " " + testbed::format_rate(p.rate) + " " +
            std::to_string(p.rtt.count() / 1000) + " ms RTT";
  return text;
}

std::unique_ptr<testbed::TwoPathTestbed> build_two_path_testbed(const std::array<testbed::PathShape, 2>& paths,
                                                                const std::filesystem::path& log_dir,
                                                                Progress& progress) {
  progress.step("two-path testbed: " + describe_paths(paths));
  return std::make_unique<testbed::TwoPathTestbed>(testbed_names(), paths, link_emulator_command(), log_dir);
}

}  // namespace msocket::mbench
