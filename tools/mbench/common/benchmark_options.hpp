// The command line every benchmark shares, in the order its --help lists
// it: --help, the benchmark's own options, then --quick, --json, --csv,
// --plot and -v.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "common/command_line.hpp"

namespace msocket::mbench {

// What a parsed command line holds, read by name.
class ParsedOptions {
 public:
  explicit ParsedOptions(boost::program_options::variables_map values) : values_(std::move(values)) {}
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // The text of an option that has one (std::string-valued).
  std::string text(const std::string& name) const { return values_[name].as<std::string>(); }
  // Its text when given.
  std::optional<std::string> text_if(const std::string& name) const;
  // A count (parse_count_option, from 1 to `most`), a size
  // (parse_size_option) or a time (parse_time_option) when given, else
  // `fallback`. Throw UsageError for a malformed value.
  unsigned count_or(const std::string& name, unsigned most, unsigned fallback) const;
  std::uint64_t size_or(const std::string& name, std::uint64_t fallback) const;
  Duration time_or(const std::string& name, Duration fallback) const;
  // --quick, --json, --csv, --plot (read_output_options: may throw).
  OutputOptions output() const { return read_output_options(values_); }
  const boost::program_options::variables_map& values() const { return values_; }

 private:
  boost::program_options::variables_map values_;
};

class BenchmarkOptions {
 public:
  // --help prints `synopsis`, then the options under `title`, then `notes`
  // and the exit statuses.
  BenchmarkOptions(const std::string& title, std::string synopsis, std::string notes);
  // Adds the benchmark's own options after those added so far.
  boost::program_options::options_description_easy_init add() { return description_.add_options(); }
  // --NAME PATH: which program of this project to use; `what` completes
  // "the NAME to ..." ("measure", "start").
  void add_program(const std::string& name, const std::string& what);
  boost::program_options::options_description& description() { return description_; }
  // Adds the output options and -v, then parses `args` (parse_or_print_help);
  // called once.
  std::optional<ParsedOptions> parse(const std::vector<std::string>& args);

 private:
  boost::program_options::options_description description_;
  std::string synopsis_, notes_;
};

}  // namespace msocket::mbench
