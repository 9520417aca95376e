#include "common/command_line.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>

#include "testbed/child_process.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

std::optional<po::variables_map> parse_or_print_help(const std::vector<std::string>& args,
                                                     const po::options_description& options,
                                                     const std::string& synopsis, const std::string& epilogue) {
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(options).run(), vm);
  if (vm.count("help")) {
    std::cout << synopsis << "\n" << options << "\n" << epilogue;
    return std::nullopt;
  }
  po::notify(vm);
  return vm;
}

void add_output_options(po::options_description& description) {
  description.add_options()
      ("quick", "a small, short run (for CI): a few seconds")
      ("json", po::value<std::string>(), "also write the results as JSON to FILE")
      ("csv", po::value<std::string>(), "also write the results as CSV to FILE")
      ("plot", po::value<std::string>(), "draw charts (PNG and SVG) into DIR, with gnuplot");
}

namespace {

std::optional<std::filesystem::path> path_option(const po::variables_map& options, const char* name) {
  if (!options.count(name)) return std::nullopt;
  const auto text = options[name].as<std::string>();
  if (text.empty()) throw UsageError(std::string("--") + name + " wants a file name");
  return std::filesystem::path(text);
}

}  // namespace

OutputOptions read_output_options(const po::variables_map& options) {
  OutputOptions output;
  output.quick = options.count("quick") > 0;
  output.json_file = path_option(options, "json");
  output.csv_file = path_option(options, "csv");
  output.plot_dir = path_option(options, "plot");
  if (output.plot_dir && !testbed::find_in_path("gnuplot"))
    throw std::runtime_error(
        "--plot needs gnuplot, which is not installed (Debian: apt-get install gnuplot-nox, "
        "or scripts/install-deps.sh)");
  return output;
}

std::uint64_t parse_size_option(const std::string& option, const std::string& text) {
  const auto fail = [&]() -> std::uint64_t {
    throw UsageError("invalid size for --" + option + ": '" + text + "' (use e.g. 64MiB, 1GiB, 500M)");
  };
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) return fail();
  std::string suffix(end, text.data() + text.size());
  if (suffix.ends_with("iB")) suffix.erase(suffix.size() - 2);
  else if (suffix.ends_with("B") || suffix.ends_with("b")) suffix.pop_back();
  int shift = 0;
  if (suffix == "K" || suffix == "k") shift = 10;
  else if (suffix == "M" || suffix == "m") shift = 20;
  else if (suffix == "G" || suffix == "g") shift = 30;
  else if (!suffix.empty()) return fail();
  if (number == 0 || number > (std::uint64_t{1} << (50 - shift))) return fail();  // 1 PiB is plenty
  return number << shift;
}

Duration parse_time_option(const std::string& option, const std::string& text) {
  const auto duration = relay::parse_duration(text);
  if (!duration || *duration <= Duration::zero())
    throw UsageError("invalid time for --" + option + ": '" + text + "' (use e.g. 500ms, 2s)");
  return *duration;
}

testbed::BitsPerSecond parse_rate_option(const std::string& option, const std::string& text, bool zero_allowed,
                                         const std::string& examples) {
  const auto rate = testbed::parse_rate(text);
  if (!rate || (*rate == 0 && !zero_allowed))
    throw UsageError("invalid rate for --" + option + ": '" + text + "' (use " + examples + ")");
  return *rate;
}

unsigned parse_count_option(const std::string& option, const std::string& text, unsigned most) {
  unsigned number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < 1 || number > most)
    throw UsageError("--" + option + " wants a number from 1 to " + std::to_string(most) + ", got '" + text + "'");
  return number;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  if (unit == 0 || value == static_cast<double>(static_cast<std::uint64_t>(value)))
    std::snprintf(text, sizeof text, "%.0f %s", value, kUnits[unit]);
  else
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
  return text;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = std::min(text.find(',', start), text.size());
    items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

std::vector<std::string> split_nonempty_list(const std::string& option, const std::string& text) {
  auto items = split_list(text);
  for (const auto& item : items)
    if (item.empty()) throw UsageError("--" + option + " wants a comma-separated list, got '" + text + "'");
  return items;
}

}  // namespace msocket::mbench
