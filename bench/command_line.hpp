// The command line of a bench program: `--help` prints what the program
// measures and its options (exit 0); a usage error prints the message and
// the usage line (exit 2). Exit 1 is left to the program: a run that failed.
#pragma once

#include <iostream>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

namespace bench {

namespace po = boost::program_options;

// Parses argv into `values` against `options` (to which it adds --help).
// Returns the exit status when the program should stop now (0 after
// --help, 2 after a usage error), or nullopt to go on.
inline std::optional<int> parse_command_line(int argc, char** argv, po::options_description& options,
                                             po::variables_map& values, const std::string& usage,
                                             const std::string& about) {
  options.add_options()("help,h", "show this help and exit");
  try {
    po::store(po::command_line_parser(argc, argv).options(options).run(), values);
    po::notify(values);
  } catch (const po::error& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n" << usage;
    return 2;
  }
  if (values.count("help") != 0) {
    std::cout << usage << about << "\n" << options;
    return 0;
  }
  return std::nullopt;
}

}  // namespace bench
