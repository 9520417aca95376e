// mbench multipath: the paper's Fig. 10 on the two-path testbed. Each file
// size is downloaded with msocket (mcat) under each scheduler, with kernel
// MPTCP, and with plain TCP over each single path; the Ideal bound is
// computed. Medians of --runs runs, which go round the schemes in turn.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/progress.hpp"
#include "common/progress_bar.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "multipath/multipath_report.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/mptcp_endpoints.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

namespace {

constexpr const char* kMultipathSynopsis =
    "usage: mbench multipath [--sizes LIST] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kMultipathNotes =
    "Needs root (network namespaces). Ideal = 1.5 RTT0 + (S + r0 d0 + r1 d1) / (r0 + r1):\n"
    "see mbench(1). ";

struct MultipathOptions {
  std::vector<std::uint64_t> sizes;
  unsigned runs = 1;
  std::array<testbed::PathShape, 2> paths = testbed::default_path_shapes();
  std::vector<std::string> schedulers{"default", "rr", "redundant"};
  std::optional<std::string> mcat_path;
  OutputOptions output;
};

std::optional<MultipathOptions> parse_multipath(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench multipath: download time over two paths, msocket against kernel MPTCP",
                                kMultipathSynopsis, kMultipathNotes);
  command_line.add()
      ("sizes", po::value<std::string>(), "file sizes, e.g. 1MiB,16MiB (default 1,4,16,64 MiB; --quick 1,4 MiB)")
      ("runs", po::value<std::string>(), "downloads per size and scheme; medians are reported (default 3; --quick 1)")
      ("schedulers", po::value<std::string>(), "msocket schedulers to measure (default default,rr,redundant)");
  add_two_path_options(command_line);
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  MultipathOptions o;
  o.output = parsed->output();
  if (parsed->has("sizes")) {
    for (const auto& item : split_list(parsed->text("sizes"))) o.sizes.push_back(parse_size_option("sizes", item));
  } else {
    o.sizes = o.output.quick ? std::vector<std::uint64_t>{1 << 20, 4 << 20}
                             : std::vector<std::uint64_t>{1 << 20, 4 << 20, 16 << 20, 64 << 20};
  }
  o.runs = parsed->count_or("runs", 100, o.output.quick ? 1 : 3);
  if (parsed->has("schedulers")) o.schedulers = split_list(parsed->text("schedulers"));
  for (const auto& s : o.schedulers)
    if (s.empty() || s.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
      throw UsageError("--schedulers wants names such as default,rr,redundant, got '" + parsed->text("schedulers") + "'");
  o.paths = read_path_shape_options(parsed->values());
  o.mcat_path = parsed->text_if("mcat");
  return o;
}

// mcat at `mcat` accepts --scheduler (older builds do not).
bool has_scheduler_option(const std::filesystem::path& mcat, const std::filesystem::path& scratch) {
  const auto help = scratch / "mcat-help";
  const int out = ::open(help.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  testbed::ChildProcess child({mcat.string(), "--help"}, {-1, out, {}});
  ::close(out);
  child.wait_for(std::chrono::seconds(10));
  std::ifstream in(help);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.find("--scheduler") != std::string::npos;
}

std::vector<Scheme> schemes(const MultipathOptions& o, const std::filesystem::path& mcat, bool scheduler_option) {
  std::vector<Scheme> all;
  for (const auto& s : o.schedulers) {
    if (!scheduler_option && s != "default") continue;
    all.push_back({"msocket " + s, SchemeKind::msocket, msocket_multipath_tool(mcat, s, scheduler_option)});
  }
  all.push_back(mptcp_scheme());
  for (std::size_t i = 0; i < 2; ++i)
    all.push_back({"tcp " + o.paths[i].name, SchemeKind::single_path,
                   socket_tool("tcp " + o.paths[i].name, false, testbed::TwoPathTestbed::client_address(i))});
  return all;
}

int run_multipath(const MultipathOptions& o) {
  testbed::catch_interruptions();
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  const testbed::TemporaryDirectory logs("mbench-multipath");
  const bool scheduler_option = has_scheduler_option(mcat, logs.path());
  auto all = schemes(o, mcat, scheduler_option);
  Progress progress("multipath", 1 + static_cast<int>(o.runs * o.sizes.size() * all.size()));
  const auto testbed = build_two_path_testbed(o.paths, logs.path(), progress);
  MultipathResults results{o.paths, o.sizes, {}, {}};
  if (!scheduler_option) results.notes.push_back("this mcat has no --scheduler: only its default scheduler is measured");
  const auto mptcp_problem = testbed::enable_mptcp(*testbed);
  if (!mptcp_problem) testbed::add_subflow_endpoint(*testbed, 1);
  for (const auto& scheme : all) results.schemes.push_back({scheme.name, scheme.kind, {}});
  for (auto& r : results.schemes) r.cases.resize(o.sizes.size());
  for (unsigned run = 0; run < o.runs; ++run) {
    for (std::size_t s = 0; s < o.sizes.size(); ++s) {
      for (std::size_t k = 0; k < all.size(); ++k) {
        auto& outcome = results.schemes[k].cases[s];
        progress.step("run " + std::to_string(run + 1) + " of " + std::to_string(o.runs) + ": " + all[k].name + ", " +
                      format_size(o.sizes[s]));
        if (unavailable(all[k], mptcp_problem, outcome)) continue;
        const ProgressBar bar("  " + all[k].name + " " + format_size(o.sizes[s]), o.sizes[s]);
        auto plan = download_plan(*testbed, o.sizes[s], logs.path());
        plan.on_progress = [&bar](std::uint64_t received) { bar.show(received); };
        run_counted(all[k], plan, outcome);
      }
    }
  }
  write_multipath_results(results, o.runs, o.output);
  return kExitOk;
}

}  // namespace

int run_multipath_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_multipath, run_multipath);
}

}  // namespace msocket::mbench
