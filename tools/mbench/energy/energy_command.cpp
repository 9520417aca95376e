// mbench energy: the energy of a download over WiFi only, LTE only and both
// (msocket's multipath), as in the paper's Figs. 11 and 12, on the two-path
// testbed of `mbench multipath`. The byte counters of the client's "WiFi"
// and "LTE" devices, sampled every 10 ms during each download, drive the radio power model of
// Huang et al. (lib/testbed/radio_energy.hpp). With --power-trace, measured
// power traces are integrated instead (energy_power_trace.hpp).
#include <cstdio>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/progress.hpp"
#include "common/progress_bar.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "energy/energy_download.hpp"
#include "energy/energy_power_trace.hpp"
#include "energy/energy_report.hpp"
#include "multipath/download_schemes.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

namespace {

constexpr const char* kEnergySynopsis =
    "usage: mbench energy [--sizes LIST] [--interval TIME] [--quick] [--json FILE] [--csv FILE] [--plot DIR]\n"
    "                     [options]\n"
    "       mbench energy --power-trace FILE [--power-trace FILE...] [--json FILE] [--csv FILE] [--plot DIR]\n";
constexpr const char* kEnergyNotes =
    "Energy of the radios above idle, from the power model of Huang et al., MobiSys 2012 (see mbench(1)),\n"
    "applied to each interface's bytes sampled during the download; each download starts from idle radios\n"
    "and includes its whole tail. Needs root (network namespaces), except with --power-trace.\n";

struct EnergyOptions {
  std::vector<std::uint64_t> sizes;
  std::chrono::milliseconds interval{10};
  std::array<testbed::PathShape, 2> paths = testbed::default_path_shapes();
  std::vector<std::string> power_traces;
  std::optional<std::string> mcat_path;
  OutputOptions output;
};

std::vector<std::uint64_t> parse_sizes(const std::string& text) {
  std::vector<std::uint64_t> sizes;
  for (const auto& item : split_list(text)) {
    sizes.push_back(parse_size_option("sizes", item));
    if (sizes.back() < (64 << 10)) throw UsageError("--sizes: each size must be at least 64KiB");
  }
  return sizes;
}

std::optional<EnergyOptions> parse_energy(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench energy: energy per download, WiFi only, LTE only and both",
                                kEnergySynopsis, kEnergyNotes);
  command_line.add()
      ("sizes", po::value<std::string>(), "download sizes, comma-separated (default 4MiB,16MiB,64MiB; --quick 1MiB,4MiB)")
      ("interval", po::value<std::string>(), "how often the interfaces' byte counters are read (default 10ms)")
      ("power-trace", po::value<std::vector<std::string>>(),
       "integrate this measured power trace (CSV time_s,power_mW) instead of running downloads; repeatable");
  add_two_path_options(command_line);
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  EnergyOptions o;
  o.output = parsed->output();
  if (parsed->has("power-trace")) {
    o.power_traces = parsed->values()["power-trace"].as<std::vector<std::string>>();
    for (const char* option : {"sizes", "interval", "mcat", "wifi-rate", "wifi-rtt", "lte-rate", "lte-rtt"})
      if (parsed->has(option))
        throw UsageError(std::string("--") + option + " is for downloads; --power-trace integrates measured traces");
    return o;
  }
  o.sizes = parsed->has("sizes") ? parse_sizes(parsed->text("sizes"))
                                 : o.output.quick ? std::vector<std::uint64_t>{1 << 20, 4 << 20}
                                                  : std::vector<std::uint64_t>{4 << 20, 16 << 20, 64 << 20};
  if (parsed->has("interval")) {
    o.interval = std::chrono::duration_cast<std::chrono::milliseconds>(parse_time_option("interval", parsed->text("interval")));
    if (o.interval < std::chrono::milliseconds(1) || o.interval > std::chrono::seconds(1))
      throw UsageError("--interval must be from 1ms to 1s");
  }
  o.paths = read_path_shape_options(parsed->values());
  o.mcat_path = parsed->text_if("mcat");
  return o;
}

const std::vector<EnergyCase>& energy_cases() {
  static const std::vector<EnergyCase> cases{
      {"wifi", "WiFi only", {0}},
      {"lte", "LTE only", {1}},
      {"both", "WiFi + LTE", {0, 1}},
  };
  return cases;
}

EnergyRun model_run(const EnergyReport& report, const EnergyCase& c, std::uint64_t size, const EnergyDownload& d) {
  EnergyRun run{c.key, c.label, size, d.download.seconds, {}, {}};
  for (std::size_t i = 0; i < report.radios.size(); ++i) {
    run.energy.push_back(testbed::radio_energy(report.radios[i].model, d.traces.at(i)));
    std::uint64_t bytes = 0;
    for (const auto& sample : d.traces[i]) bytes += sample.bytes_up + sample.bytes_down;
    run.interface_bytes.push_back(bytes);
  }
  return run;
}

int run_energy(const EnergyOptions& o) {
  testbed::catch_interruptions();
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  const auto& cases = energy_cases();
  Progress progress("energy", static_cast<int>(1 + cases.size() * o.sizes.size()));
  const testbed::TemporaryDirectory work("mbench-energy");
  const auto testbed_text = describe_paths(o.paths) + " (mbench link on each path)";
  auto testbed = build_two_path_testbed(o.paths, work.path(), progress);
  EnergyReport report;
  report.radios = {{"wifi", testbed::TwoPathTestbed::client_device(0), testbed::wifi_power_model()},
                   {"lte", testbed::TwoPathTestbed::client_device(1), testbed::lte_power_model()}};
  EnergyPlan plan{mcat, 0, work.path(), o.interval, {}};
  for (const auto size : o.sizes) {
    for (const auto& c : cases) {
      const auto what = c.label + ", " + format_size(size);
      progress.step(what);
      const ProgressBar bar(what, size);
      plan.bytes = size;
      plan.on_progress = [&bar](std::uint64_t received) { bar.show(received); };
      const auto download = run_energy_download(*testbed, c, plan);
      report.runs.push_back(model_run(report, c, size, download));
      log::tool()->info("{}: {:.2f} s, {:.2f} J", what, download.download.seconds, report.runs.back().total_joules());
    }
  }
  report.settings = {{"sizes_bytes", boost::json::array(o.sizes.begin(), o.sizes.end())},
                     {"sample_interval_ms", o.interval.count()},
                     {"quick", o.output.quick},
                     {"testbed", testbed_text},
                     {"cases", "wifi: mcat -s WIFI_ADDR; lte: mcat -s LTE_ADDR; both: mcat -s WIFI_ADDR -s LTE_ADDR"}};
  report.notes = {"energy of the radios above idle (model: Huang et al., MobiSys 2012; see mbench(1)), from each "
                  "interface's bytes read every " + std::to_string(o.interval.count()) + " ms",
                  "each download starts from idle radios and is charged its whole tail (LTE 11.6 s, WiFi 0.24 s)",
                  "time: the client's start to its last byte; testbed: " + testbed_text};
  testbed.reset();  // before printing: nothing of ours is left behind if the output fails
  write_energy_outputs(report, o.output);
  return kExitOk;
}

}  // namespace

int run_energy_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_energy, [](const EnergyOptions& o) {
    return o.power_traces.empty() ? run_energy(o) : run_power_traces(o.power_traces, o.output);
  });
}

}  // namespace msocket::mbench
