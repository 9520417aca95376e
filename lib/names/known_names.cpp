#include "names/known_names.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <sstream>

#include "names/file_io.hpp"
#include "names/name_error.hpp"

namespace msocket::names {
namespace {

namespace fs = std::filesystem;
using error_code = boost::system::error_code;

// A known-names file is a line per name; this bounds what a reader takes in.
constexpr std::size_t kMaxKnownNamesSize = 16 * 1024 * 1024;

// The pin on one line, if it is one: `NAME KEY`, any blanks around.
std::optional<std::pair<std::string, PublicKey>> parse_pin(std::string_view line) {
  std::istringstream words{std::string(line)};
  std::string name, key_text, extra;
  if (!(words >> name >> key_text) || (words >> extra) || name.starts_with('#') || !valid_name(name))
    return std::nullopt;
  const auto bytes = from_base64(key_text, std::tuple_size_v<PublicKey>);
  if (!bytes) return std::nullopt;
  PublicKey key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return std::pair{std::move(name), key};
}

// The pins of a file's text; the first line for a name counts.
std::map<std::string, PublicKey> parse_pins(std::string_view text) {
  std::map<std::string, PublicKey> pins;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (auto pin = parse_pin(text.substr(0, end))) pins.insert(std::move(*pin));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return pins;
}

// Creates the directories of `dir` that are missing, each with mode 0700:
// what names a user talks to is nobody else's business.
error_code make_private_directories(const fs::path& dir) {
  fs::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) return last_system_error();
  }
  return {};
}

// The file's text; empty if it does not exist.
result<std::string> read_known_names(const fs::path& path) {
  auto text = read_file(path, kMaxKnownNamesSize);
  if (!text && text.error() == boost::system::errc::no_such_file_or_directory) return std::string();
  return text;
}

}  // namespace

fs::path default_known_names_path() {
  const char* config = std::getenv("XDG_CONFIG_HOME");
  if (config && *config) return fs::path(config) / "msocket" / "known_names";
  const char* home = std::getenv("HOME");
  if (home && *home) return fs::path(home) / ".config" / "msocket" / "known_names";
  return {};
}

KnownNames::KnownNames(fs::path path, std::string text)
    : path_(std::move(path)), text_(std::move(text)), pins_(parse_pins(text_)) {}

result<KnownNames> KnownNames::load(fs::path path) {
  auto text = read_known_names(path);
  if (!text) return text.error();
  return KnownNames(std::move(path), std::move(*text));
}

std::optional<PublicKey> KnownNames::find(const std::string& name) const {
  const auto found = pins_.find(name);
  if (found == pins_.end()) return std::nullopt;
  return found->second;
}

result<PinCheck> KnownNames::check_and_pin(const std::string& name, const PublicKey& key) {
  // What another process pinned since we read the file counts too.
  auto fresh = load(path_);
  if (!fresh) return fresh.error();
  *this = std::move(*fresh);
  if (const auto pinned = find(name)) {
    if (*pinned != key) return name_error::key_mismatch;
    return PinCheck::matches;
  }
  if (!text_.empty() && !text_.ends_with('\n')) text_ += '\n';
  text_ += name + " " + to_base64(key) + "\n";
  pins_.emplace(name, key);
  if (auto ec = save()) return ec;
  return PinCheck::first_use;
}

error_code KnownNames::save() const {
  if (auto ec = make_private_directories(path_.parent_path())) return ec;
  return replace_file(path_, text_, 0600);
}

std::string describe_key_mismatch(const std::string& name, const PublicKey& pinned, const PublicKey& offered,
                                  const fs::path& file) {
  return name + ": name's key does not match the pinned key\n" +
         "  pinned key:  " + to_base64(pinned) + " (" + file.string() + ")\n" +
         "  offered key: " + to_base64(offered) + "\n" +
         "The name service answered with a record signed by another key than the one this name was\n"
         "first seen with: the service, or the record, may be forged. If the owner really changed\n"
         "keys, remove the line of " + name + " from " + file.string() + ".";
}

}  // namespace msocket::names
