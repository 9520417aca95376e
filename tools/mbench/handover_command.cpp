// mbench handover: the paper's Figs. 13-16 on the two-path testbed. A
// download loses a path (its client address is deleted) once a third of it
// has arrived. With one path, the client must move to the other interface;
// with two, the lost one just closes. msocket (mcat follows addresses by
// itself) against kernel MPTCP (its endpoints are changed as a path manager
// daemon would change them).
#include <boost/program_options.hpp>

#include "child_process.hpp"
#include "command_line.hpp"
#include "commands.hpp"
#include "handover_report.hpp"
#include "interruption.hpp"
#include "core/log.hpp"
#include "mptcp_setup.hpp"
#include "progress.hpp"
#include "progress_bar.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

namespace {

constexpr const char* kHandoverSynopsis =
    "usage: mbench handover [--size SIZE] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n";
constexpr double kLossAt = 1.0 / 3;  // of the bytes, as in the paper

struct HandoverOptions {
  std::uint64_t bytes = 0;
  std::array<PathShape, 2> paths = default_path_shapes();
  std::optional<std::string> mcat_path;
  OutputOptions output;
};

std::optional<HandoverOptions> parse_handover(const std::vector<std::string>& args) {
  po::options_description visible("mbench handover: a download that loses a path at 1/3, msocket against kernel MPTCP");
  visible.add_options()
      ("help,h", "show this help and exit")
      ("size", po::value<std::string>(), "bytes per download (default 32MiB; --quick 8MiB)");
  add_path_shape_options(visible);
  visible.add_options()("mcat", po::value<std::string>(), "the mcat to measure (default: the one next to mbench)");
  add_output_options(visible);
  visible.add_options()("verbose,v", "more log output on stderr (-vv for more)");
  const auto parsed = parse_or_print_help(args, visible, kHandoverSynopsis,
                                          "Cases: one path (wifi lost, lte lost) and two paths (lte lost, wifi lost);\n"
                                          "--quick: the wifi-lost cases only. Needs root (network namespaces).\n"
                                          "Exit status: 0 success, 1 runtime error, 2 usage error, 130 interrupted.\n");
  if (!parsed) return std::nullopt;
  const auto& vm = *parsed;
  HandoverOptions o;
  o.output = read_output_options(vm);
  o.bytes = vm.count("size") ? parse_size_option("size", vm["size"].as<std::string>()) : o.output.quick ? 8 << 20 : 32 << 20;
  if (o.bytes < (1u << 20)) throw UsageError("--size must be at least 1MiB, for the loss at 1/3 to fall mid-download");
  o.paths = read_path_shape_options(vm);
  if (vm.count("mcat")) o.mcat_path = vm["mcat"].as<std::string>();
  return o;
}

std::vector<HandoverCase> cases_of(const HandoverOptions& o) {
  if (o.output.quick) return {{1, 0}, {2, 0}};
  return {{1, 0}, {1, 1}, {2, 1}, {2, 0}};  // Figs. 13, 14, 15, 16
}

// msocket: one path follows the default route and moves by itself; two
// paths are a flowpath from every address.
Scheme msocket_scheme(const std::filesystem::path& mcat, const HandoverCase& c) {
  std::vector<std::string> paths;
  if (c.paths == 2) paths = {"--paths", "all"};
  return {"msocket", SchemeKind::msocket, msocket_tool(mcat, "msocket", "", paths)};
}

// MPTCP's endpoints: the first subflow's own address (so that deleting its
// endpoint closes it), and with two paths the other one's for a second subflow.
void set_mptcp_endpoints(const TwoPathTestbed& testbed, const HandoverCase& c, std::size_t first) {
  flush_endpoints(testbed);
  add_subflow_endpoint(testbed, first);
  if (c.paths == 2) add_subflow_endpoint(testbed, 1 - first);
}

void run_case(TwoPathTestbed& testbed, const HandoverOptions& o, const HandoverCase& c, const Scheme& scheme,
              const std::filesystem::path& logs, SchemeOutcome& outcome) {
  const auto first = c.paths == 1 ? c.lost : std::size_t{0};
  testbed.prefer_path(first);
  const bool mptcp = scheme.kind == SchemeKind::mptcp;
  if (mptcp) set_mptcp_endpoints(testbed, c, first);
  const ProgressBar bar("  " + scheme.name + " " + c.describe(o.paths), o.bytes);
  auto plan = download_plan(testbed, o.bytes, logs);
  plan.on_progress = [&bar](std::uint64_t received) { bar.show(received); };
  plan.event_fraction = kLossAt;
  plan.on_event = [&] {
    testbed.remove_client_address(c.lost);
    if (!mptcp) return;
    delete_endpoint(testbed, c.lost);
    if (c.paths == 1) add_subflow_endpoint(testbed, 1 - c.lost);  // the new network, as a daemon would add it
  };
  run_counted(scheme, plan, outcome);
  if (!testbed.has_client_address(c.lost)) testbed.restore_client_address(c.lost);
  if (mptcp) flush_endpoints(testbed);
}

int run_handover(const HandoverOptions& o) {
  catch_interruptions();
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  const TemporaryDirectory logs("mbench-handover");
  const auto cases = cases_of(o);
  Progress progress("handover", 1 + 2 * static_cast<int>(cases.size()));
  progress.step("two-path testbed: " + describe_paths(o.paths));
  TwoPathTestbed testbed(o.paths, self, logs.path());
  const auto mptcp_problem = enable_mptcp(testbed);
  HandoverResults results{o.paths, o.bytes, {}, {}};
  for (const auto& c : cases) {
    auto& result = results.cases.emplace_back(HandoverCaseResult{c, {}});
    const Scheme schemes[] = {msocket_scheme(mcat, c), {"mptcp", SchemeKind::mptcp, socket_tool(self, "mptcp", true, std::nullopt)}};
    for (const auto& scheme : schemes) {
      progress.step(scheme.name + ", " + c.describe(o.paths) + ", " + format_size(o.bytes));
      auto& outcome = result.schemes.emplace_back(scheme.name, SchemeOutcome{}).second;
      if (scheme.kind == SchemeKind::mptcp && mptcp_problem) {
        outcome.problem = "unavailable: " + *mptcp_problem;
        continue;
      }
      run_case(testbed, o, c, scheme, logs.path(), outcome);
    }
  }
  write_handover_results(results, o.output);
  return kExitOk;
}

}  // namespace

int run_handover_command(const std::vector<std::string>& args, int verbosity) {
  const auto options = parse_handover(args);
  if (!options) return kExitOk;  // --help
  log::set_verbosity(verbosity);
  return run_handover(*options);
}

}  // namespace msocket::mbench
