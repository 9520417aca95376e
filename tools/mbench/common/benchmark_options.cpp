#include "common/benchmark_options.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

std::optional<std::string> ParsedOptions::text_if(const std::string& name) const {
  if (!has(name)) return std::nullopt;
  return text(name);
}

unsigned ParsedOptions::count_or(const std::string& name, unsigned most, unsigned fallback) const {
  return has(name) ? parse_count_option(name, text(name), most) : fallback;
}

std::uint64_t ParsedOptions::size_or(const std::string& name, std::uint64_t fallback) const {
  return has(name) ? parse_size_option(name, text(name)) : fallback;
}

Duration ParsedOptions::time_or(const std::string& name, Duration fallback) const {
  return has(name) ? parse_time_option(name, text(name)) : fallback;
}

BenchmarkOptions::BenchmarkOptions(const std::string& title, std::string synopsis, std::string notes)
    : description_(title), synopsis_(std::move(synopsis)), notes_(std::move(notes)) {
  description_.add_options()("help,h", "show this help and exit");
}

void BenchmarkOptions::add_program(const std::string& name, const std::string& what) {
  description_.add_options()(name.c_str(), po::value<std::string>(),
                             ("the " + name + " to " + what + " (default: the one next to mbench)").c_str());
}

std::optional<ParsedOptions> BenchmarkOptions::parse(const std::vector<std::string>& args) {
  add_output_options(description_);
  description_.add_options()("verbose,v", "more log output on stderr (-vv for more)");
  auto values = parse_or_print_help(args, description_, synopsis_,
                                    notes_ + "Exit status: 0 success, 1 runtime error, 2 usage error, 130 interrupted.\n");
  if (!values) return std::nullopt;
  return ParsedOptions(std::move(*values));
}

}  // namespace msocket::mbench
