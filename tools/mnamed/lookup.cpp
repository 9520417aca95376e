// mnamed lookup: a name's record, its owner key checked against the key
// pinned for the name (man/mnamed.8, lookup; names/known_names.hpp).
#include <cstdio>
#include <filesystem>

#include "command_line.hpp"
#include "names/known_names.hpp"

namespace mnamed {
namespace {

// The file of pinned keys: --known-names, else the default one; empty with
// --no-pin or when there is no default (no HOME).
std::filesystem::path known_names_option(const Invocation& in) {
  if (in.options.count("no-pin")) {
    if (in.options.count("known-names")) throw UsageError("--no-pin and --known-names do not go together");
    return {};
  }
  if (in.options.count("known-names")) return text(in, "known-names");
  auto path = names::default_known_names_path();
  if (path.empty()) std::fprintf(stderr, "mnamed lookup: warning: neither XDG_CONFIG_HOME nor HOME is set: no key pinned\n");
  return path;
}

// Checks `record`'s owner key against the pin, pinning it on first use.
// Throws KeyMismatchError with the whole story; a file that cannot be read
// or written only costs the pin, with a warning (as ssh does).
void check_pin(const std::filesystem::path& file, const names::Record& record) {
  auto known = names::KnownNames::load(file);
  auto checked = known ? known->check_and_pin(record.name, record.owner) : msocket::result<names::PinCheck>(known.error());
  if (!checked && checked.error() == names::name_error::key_mismatch)
    throw KeyMismatchError(names::describe_key_mismatch(record.name, *known->find(record.name), record.owner, file));
  if (!checked)
    std::fprintf(stderr, "mnamed lookup: warning: cannot pin the key of %s in %s: %s\n", record.name.c_str(),
                 file.c_str(), checked.error().message().c_str());
  else if (*checked == names::PinCheck::first_use)
    std::fprintf(stderr, "mnamed lookup: pinned the owner key of %s (%s) in %s\n", record.name.c_str(),
                 names::to_base64(record.owner).c_str(), file.c_str());
}

}  // namespace

int lookup(const Invocation& in) {
  const auto name = name_argument(in, 1);
  const auto known_names = known_names_option(in);
  asio::io_context context;
  names::Client client(context.get_executor(), server_option(in), client_options(in));
  auto record = run(context, client, client.lookup(name));
  if (!record) throw RuntimeError(name + ": " + record.error().message());
  if (!known_names.empty()) check_pin(known_names, *record);
  print_json(names::to_json(*record));
  return kExitOk;
}

void add_lookup_options(po::options_description& d) {
  add_client_options(d);
  d.add_options()("known-names", po::value<std::string>(),
                  "pin owner keys in FILE (default: $XDG_CONFIG_HOME/msocket/known_names, "
                  "else ~/.config/msocket/known_names)")(
      "no-pin", "neither check nor pin the record's owner key");
}

}  // namespace mnamed
