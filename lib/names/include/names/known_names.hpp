// The owner keys a client has seen for names, pinned on first use as ssh's
// known_hosts pins host keys: the first record of a name that a client
// accepts binds the name to that record's owner key on this machine, and a
// later record signed by another key is refused. A name service that lies
// (or a fake one) can then withhold a name but not redirect it to an
// attacker's key, however high the version it serves.
//
// The file holds lines `NAME OWNER_KEY_BASE64`; '#' starts a comment line;
// lines that are not of that form are kept as they are and otherwise
// ignored (as ssh does). It is created, with its directory, on the first
// pin (mode 0600, the directory 0700), and always replaced whole (a
// temporary file renamed over it), so a reader never sees half of it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "msocket/error.hpp"
#include "names/record.hpp"

namespace msocket::names {

// $XDG_CONFIG_HOME/msocket/known_names, else $HOME/.config/msocket/known_names;
// empty if neither variable is set (there is then no default file).
std::filesystem::path default_known_names_path();

enum class PinCheck {
  first_use,  // the name was not pinned: it is now, and the file is saved
  matches,    // the key is the one pinned
};

class KnownNames {
 public:
  // Reads `path`; a missing file is an empty one. Errors: the file
  // system's (e.g. permission denied).
  static result<KnownNames> load(std::filesystem::path path);

  const std::filesystem::path& path() const { return path_; }
  // The key pinned for `name`, if any.
  std::optional<PublicKey> find(const std::string& name) const;
  // Compares `key` with the key pinned for `name`; pins it (and saves the
  // file) if there is none. The file is read again first, so pins other
  // processes saved meanwhile are kept and compared with. Errors:
  // name_error::key_mismatch (nothing is changed); the file system's when
  // saving.
  result<PinCheck> check_and_pin(const std::string& name, const PublicKey& key);

 private:
  KnownNames(std::filesystem::path path, std::string text);
  boost::system::error_code save() const;

  std::filesystem::path path_;
  std::string text_;  // the file as read, comments and all, plus the pins added
  std::map<std::string, PublicKey> pins_;
};

// What a tool prints for name_error::key_mismatch: the name, the pinned and
// the offered key (base64) and the file to edit if the owner really changed
// keys. Several lines, no trailing newline.
std::string describe_key_mismatch(const std::string& name, const PublicKey& pinned, const PublicKey& offered,
                                  const std::filesystem::path& file);

}  // namespace msocket::names
