// What mbench's subcommands share on the command line: exit statuses, the
// error that means "usage", the one way every subcommand runs (parse, set
// the log level, run: the nc shape), the output options of the benchmarks
// (--quick, --json, --csv, --plot) and parsers for sizes, times and lists.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "core/log.hpp"
#include "relay/duration.hpp"
#include "testbed/link_model.hpp"

namespace msocket::mbench {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

// A malformed or impossible command line: main prints it with the usage and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where a benchmark writes its results, besides the table on stdout.
struct OutputOptions {
  bool quick = false;  // small and short, for CI
  std::optional<std::filesystem::path> json_file;
  std::optional<std::filesystem::path> csv_file;
  std::optional<std::filesystem::path> plot_dir;
};

// Parses a subcommand's arguments against `options`. With --help, prints
// `synopsis`, the options and `epilogue` on stdout and returns nullopt.
// Throws Program_options errors (unknown, missing or malformed options).
std::optional<boost::program_options::variables_map> parse_or_print_help(
    const std::vector<std::string>& args, const boost::program_options::options_description& options,
    const std::string& synopsis, const std::string& epilogue);

// Adds --quick, --json, --csv and --plot to `description`.
void add_output_options(boost::program_options::options_description& description);
// Reads them back. Throws UsageError for an empty file name, and a runtime
// error when --plot is asked for and gnuplot is not installed (checked
// before the benchmark runs, not after).
OutputOptions read_output_options(const boost::program_options::variables_map& options);

// "64MiB", "1GiB", "500M", "4096": bytes (K, M, G and their KiB forms are
// powers of 1024; 'B' is optional). Throws UsageError naming `option`.
std::uint64_t parse_size_option(const std::string& option, const std::string& text);
// "500ms", "2s": a duration above zero. Throws UsageError naming `option`.
Duration parse_time_option(const std::string& option, const std::string& text);
// "20mbit", "500kbit": bits per second; 0 (unlimited) only if `zero_allowed`.
// Throws UsageError naming `option`, with `examples` ("e.g. 40mbit").
testbed::BitsPerSecond parse_rate_option(const std::string& option, const std::string& text, bool zero_allowed,
                                         const std::string& examples);
// A count from 1 to `most`. Throws UsageError naming `option`.
unsigned parse_count_option(const std::string& option, const std::string& text, unsigned most);

// "a,b,,c" -> {"a", "b", "", "c"}: the items of a comma-separated option.
std::vector<std::string> split_list(const std::string& text);
// The same, but an empty item throws UsageError naming `option`.
std::vector<std::string> split_nonempty_list(const std::string& option, const std::string& text);

// "1.0 GiB", "64 MiB", "512 KiB", "100 B".
std::string format_size(std::uint64_t bytes);

// Runs a subcommand: `parse(args)` gives its options or nullopt after
// printing --help (then 0); the log level is set from -v; `run(options)`
// returns the exit status.
template <class Parse, class Run>
int parse_and_run(const std::vector<std::string>& args, int verbosity, Parse parse, Run run) {
  const auto options = parse(args);
  if (!options) return kExitOk;  // --help
  log::send_logs_to_stderr(verbosity);
  return run(*options);
}

}  // namespace msocket::mbench
