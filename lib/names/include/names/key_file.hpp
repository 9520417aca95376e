// The owner's key on disk, as `mnamed keygen` writes it: one line holding
// the base64 (RFC 4648, with padding) of the 64-byte Ed25519 secret key in
// libsodium's layout (32-byte seed, then the 32-byte public key), in a file
// of mode 0600. Whoever holds the file owns the names it registered.
#pragma once

#include <filesystem>

#include "msocket/error.hpp"
#include "names/record.hpp"

namespace msocket::names {

// Writes `key` to a new file `path` with mode 0600, synced to disk. Never
// replaces an existing file. Errors: the file system's (EEXIST if `path`
// exists).
boost::system::error_code save_key_file(const std::filesystem::path& path, const SigningKey& key);

// Reads a key file. Errors: the file system's; name_error::key_file_unprotected
// if group or others may read or write it; name_error::bad_key_file if it is
// not one line of base64 of 64 bytes whose second half is the public key of
// its first.
result<SigningKey> load_key_file(const std::filesystem::path& path);

}  // namespace msocket::names
