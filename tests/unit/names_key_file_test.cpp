#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include "names/key_file.hpp"
#include "names/name_error.hpp"

using namespace msocket::names;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

}  // namespace

TEST_CASE("a saved key loads back, signs, and sits in a file of mode 0600", "[names]") {
  TempDir dir("keyfile");
  const auto file = dir.path / "owner.key";
  const auto key = generate_signing_key();
  REQUIRE_FALSE(save_key_file(file, key));
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = load_key_file(file);
  REQUIRE(loaded.has_value());
  CHECK(loaded->secret_key == key.secret_key);
  CHECK(loaded->public_key == key.public_key);
  Record r;
  r.name = "a";
  r.version = 1;
  r.expires = 2'000'000'000;
  sign(r, *loaded);
  CHECK(verify(r));
  CHECK(r.owner == key.public_key);
}

TEST_CASE("saving never replaces an existing file", "[names]") {
  TempDir dir("keyfile");
  const auto file = dir.path / "owner.key";
  const auto first = generate_signing_key();
  REQUIRE_FALSE(save_key_file(file, first));
  CHECK(save_key_file(file, generate_signing_key()) == boost::system::errc::file_exists);
  CHECK(load_key_file(file)->public_key == first.public_key);
}

TEST_CASE("loading refuses missing, unprotected and malformed key files", "[names]") {
  TempDir dir("keyfile");
  const auto key = generate_signing_key();
  const auto line = to_base64(key.secret_key) + "\n";

  CHECK(load_key_file(dir.path / "absent").error() == boost::system::errc::no_such_file_or_directory);

  write_file(dir.path / "shared", line, 0644);
  CHECK(load_key_file(dir.path / "shared").error() == name_error::key_file_unprotected);

  write_file(dir.path / "no-newline", to_base64(key.secret_key));
  CHECK(load_key_file(dir.path / "no-newline").has_value());

  write_file(dir.path / "empty", "");
  CHECK(load_key_file(dir.path / "empty").error() == name_error::bad_key_file);
  write_file(dir.path / "garbage", "not base64 at all\n");
  CHECK(load_key_file(dir.path / "garbage").error() == name_error::bad_key_file);
  write_file(dir.path / "public-only", to_base64(key.public_key) + "\n");
  CHECK(load_key_file(dir.path / "public-only").error() == name_error::bad_key_file);
  write_file(dir.path / "huge", std::string(4096, 'A'));
  CHECK(load_key_file(dir.path / "huge").error() == name_error::bad_key_file);

  // Seed of one key, public half of another: it would sign as one and name the other.
  const auto other = generate_signing_key();
  SecretKey mixed = key.secret_key;
  std::copy(other.public_key.begin(), other.public_key.end(), mixed.begin() + 32);
  write_file(dir.path / "mixed", to_base64(mixed) + "\n");
  CHECK(load_key_file(dir.path / "mixed").error() == name_error::bad_key_file);
}
