// mbench handover: the paper's Figs. 13-16 on the two-path testbed. A
// download loses a path (its client address is deleted) once a third of it
// has arrived. With one path, the client must move to the other interface;
// with two, the lost one just closes. msocket (mcat follows addresses by
// itself) against kernel MPTCP (its endpoints are changed as a path manager
// daemon would change them).
#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/progress.hpp"
#include "common/progress_bar.hpp"
#include "common/project_tools.hpp"
#include "multipath/handover_report.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/mptcp_endpoints.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

namespace {

constexpr const char* kHandoverSynopsis =
    "usage: mbench handover [--size SIZE] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kHandoverNotes =
    "Cases: one path (wifi lost, lte lost) and two paths (lte lost, wifi lost);\n"
    "--quick: the wifi-lost cases only. Needs root (network namespaces).\n";
constexpr double kLossAt = 1.0 / 3;  // of the bytes, as in the paper

struct HandoverOptions {
  std::uint64_t bytes = 0;
  std::array<testbed::PathShape, 2> paths = testbed::default_path_shapes();
  std::optional<std::string> mcat_path;
  OutputOptions output;
};

std::optional<HandoverOptions> parse_handover(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench handover: a download that loses a path at 1/3, msocket against kernel MPTCP",
                                kHandoverSynopsis, kHandoverNotes);
  command_line.add()("size", po::value<std::string>(), "bytes per download (default 32MiB; --quick 8MiB)");
  add_two_path_options(command_line);
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  HandoverOptions o;
  o.output = parsed->output();
  o.bytes = parsed->size_or("size", o.output.quick ? 8 << 20 : 32 << 20);
  if (o.bytes < (1u << 20)) throw UsageError("--size must be at least 1MiB, for the loss at 1/3 to fall mid-download");
  o.paths = read_path_shape_options(parsed->values());
  o.mcat_path = parsed->text_if("mcat");
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
void set_mptcp_endpoints(const testbed::TwoPathTestbed& testbed, const HandoverCase& c, std::size_t first) {
  testbed::flush_endpoints(testbed);
  testbed::add_subflow_endpoint(testbed, first);
  if (c.paths == 2) testbed::add_subflow_endpoint(testbed, 1 - first);
}

void run_case(testbed::TwoPathTestbed& testbed, const HandoverOptions& o, const HandoverCase& c, const Scheme& scheme,
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
    testbed::delete_endpoint(testbed, c.lost);
    if (c.paths == 1) testbed::add_subflow_endpoint(testbed, 1 - c.lost);  // the new network, as a daemon would add it
  };
  run_counted(scheme, plan, outcome);
  if (!testbed.has_client_address(c.lost)) testbed.restore_client_address(c.lost);
  if (mptcp) testbed::flush_endpoints(testbed);
}

int run_handover(const HandoverOptions& o) {
  testbed::catch_interruptions();
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  const testbed::TemporaryDirectory logs("mbench-handover");
  const auto cases = cases_of(o);
  Progress progress("handover", 1 + 2 * static_cast<int>(cases.size()));
  const auto testbed = build_two_path_testbed(o.paths, logs.path(), progress);
  const auto mptcp_problem = testbed::enable_mptcp(*testbed);
  HandoverResults results{o.paths, o.bytes, {}, {}};
  for (const auto& c : cases) {
    auto& result = results.cases.emplace_back(HandoverCaseResult{c, {}});
    const Scheme schemes[] = {msocket_scheme(mcat, c), mptcp_scheme()};
    for (const auto& scheme : schemes) {
      progress.step(scheme.name + ", " + c.describe(o.paths) + ", " + format_size(o.bytes));
      auto& outcome = result.schemes.emplace_back(scheme.name, SchemeOutcome{}).second;
      if (unavailable(scheme, mptcp_problem, outcome)) continue;
      run_case(*testbed, o, c, scheme, logs.path(), outcome);
    }
  }
  write_handover_results(results, o.output);
  return kExitOk;
}

}  // namespace

int run_handover_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_handover, run_handover);
}

}  // namespace msocket::mbench
