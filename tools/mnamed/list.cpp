// mnamed list: the live records whose names begin with a prefix, one line
// of JSON each (man/mnamed.8, list), each checked as lookup checks one.
// No key is pinned: anyone may register a name under any prefix, so a
// listing says what is there, not whose it is.
#include <charconv>
#include <limits>

#include "command_line.hpp"

namespace mnamed {
namespace {

std::string prefix_argument(const Invocation& in) {
  if (in.args.empty()) throw UsageError("a PREFIX is required");
  if (in.args.size() > 1) throw UsageError("too many arguments: '" + in.args[1] + "'");
  if (!names::valid_name(in.args[0]))
    throw UsageError("invalid prefix '" + in.args[0] + "' (1 to 253 letters, digits, '.', '-' or '_')");
  return in.args[0];
}

// --limit: a whole number from 1 up; one past 64 bits asks for all the
// server gives.
std::size_t limit_option(const Invocation& in) {
  const auto value = text(in, "limit");
  const auto* end = value.data() + value.size();
  std::size_t limit = 0;
  const auto [stop, ec] = std::from_chars(value.data(), end, limit);
  if (stop == end && ec == std::errc::result_out_of_range) return std::numeric_limits<std::size_t>::max();
  if (stop != end || ec != std::errc() || limit == 0)
    throw UsageError("--limit wants a whole number from 1 up, got '" + value + "'");
  return limit;
}

}  // namespace

int list(const Invocation& in) {
  const auto prefix = prefix_argument(in);
  const auto limit = limit_option(in);
  asio::io_context context;
  names::Client client(context.get_executor(), server_option(in), client_options(in));
  auto records = run(context, client, client.list(prefix, limit));
  if (!records) throw RuntimeError(prefix + ": " + records.error().message());
  for (const auto& record : *records) print_json(names::to_json(record));
  return kExitOk;
}

void add_list_options(po::options_description& d) {
  add_client_options(d);
  d.add_options()("limit", po::value<std::string>()->default_value("100"),
                  "print at most N records (the server gives 100 at most)");
}

}  // namespace mnamed
