#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <catch2/catch.hpp>

#include "names/known_names.hpp"
#include "names/name_error.hpp"
#include "temp_dir.hpp"

using namespace msocket::names;
namespace fs = std::filesystem;

namespace {

std::string contents(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

// Sets an environment variable for the test's scope, then puts back what was.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnvironment() {
    if (saved_) ::setenv(name_, saved_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("known names: the first key is pinned, in a new private file", "[names]") {
  TempDir dir("known-names");
  const auto file = dir.path / "config" / "msocket" / "known_names";
  const auto key = generate_signing_key().public_key;
  auto known = KnownNames::load(file);
  REQUIRE(known.has_value());  // a missing file is an empty one
  CHECK_FALSE(known->find("srv.example").has_value());

  auto first = known->check_and_pin("srv.example", key);
  REQUIRE(first.has_value());
  CHECK(*first == PinCheck::first_use);
  CHECK(contents(file) == "srv.example " + to_base64(key) + "\n");
  CHECK(mode_of(file) == 0600);
  CHECK(mode_of(file.parent_path()) == 0700);
  CHECK(mode_of(file.parent_path().parent_path()) == 0700);

  auto again = KnownNames::load(file);
  REQUIRE(again.has_value());
  CHECK(again->find("srv.example") == key);
  auto second = again->check_and_pin("srv.example", key);
  REQUIRE(second.has_value());
  CHECK(*second == PinCheck::matches);
}

TEST_CASE("known names: another key for a pinned name is refused and nothing changes", "[names]") {
  TempDir dir("known-names");
  const auto file = dir.path / "known_names";
  const auto real = generate_signing_key().public_key, fake = generate_signing_key().public_key;
  auto known = KnownNames::load(file).value();
  REQUIRE(known.check_and_pin("bank.example", real).has_value());
  const auto before = contents(file);
  auto mismatch = known.check_and_pin("bank.example", fake);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error() == name_error::key_mismatch);
  CHECK(mismatch.error().message() == "name's key does not match the pinned key");
  CHECK(contents(file) == before);
  CHECK(known.find("bank.example") == real);
  // Another name is another matter.
  CHECK(known.check_and_pin("other.example", fake).value() == PinCheck::first_use);
}

TEST_CASE("known names: comments and foreign lines are kept and ignored", "[names]") {
  TempDir dir("known-names");
  const auto file = dir.path / "known_names";
  const auto key = generate_signing_key().public_key, other = generate_signing_key().public_key;
  {
    std::ofstream out(file);
    out << "# pinned by hand\n"
        << "  a.example   " << to_base64(key) << "  \n"
        << "b.example not-base64\n"
        << "c.example " << to_base64(key) << " extra\n"
        << "a.example " << to_base64(other) << "\n"  // a second line for a name: the first counts
        << "no newline at the end";
  }
  auto known = KnownNames::load(file).value();
  CHECK(known.find("a.example") == key);
  CHECK_FALSE(known.find("b.example").has_value());
  CHECK_FALSE(known.find("c.example").has_value());
  const auto before = contents(file);
  REQUIRE(known.check_and_pin("d.example", key).value() == PinCheck::first_use);
  CHECK(contents(file) == before + "\nd.example " + to_base64(key) + "\n");
}

TEST_CASE("known names: pins saved by another process meanwhile count", "[names]") {
  TempDir dir("known-names");
  const auto file = dir.path / "known_names";
  const auto first = generate_signing_key().public_key, second = generate_signing_key().public_key;
  auto one = KnownNames::load(file).value();
  auto two = KnownNames::load(file).value();  // read before `one` pinned anything
  REQUIRE(one.check_and_pin("x.example", first).value() == PinCheck::first_use);
  auto late = two.check_and_pin("x.example", second);
  REQUIRE_FALSE(late.has_value());
  CHECK(late.error() == name_error::key_mismatch);
  REQUIRE(two.check_and_pin("y.example", second).value() == PinCheck::first_use);
  auto reread = KnownNames::load(file).value();
  CHECK(reread.find("x.example") == first);
  CHECK(reread.find("y.example") == second);
}

TEST_CASE("known names: where the file is by default", "[names]") {
  {
    ScopedEnvironment config("XDG_CONFIG_HOME", "/x/config");
    ScopedEnvironment home("HOME", "/home/someone");
    CHECK(default_known_names_path() == fs::path("/x/config/msocket/known_names"));
  }
  {
    ScopedEnvironment config("XDG_CONFIG_HOME", "");
    ScopedEnvironment home("HOME", "/home/someone");
    CHECK(default_known_names_path() == fs::path("/home/someone/.config/msocket/known_names"));
  }
  ScopedEnvironment config("XDG_CONFIG_HOME", nullptr);
  ScopedEnvironment home("HOME", nullptr);
  CHECK(default_known_names_path().empty());
}

TEST_CASE("known names: the mismatch message names the name, both keys and the file", "[names]") {
  const auto pinned = generate_signing_key().public_key, offered = generate_signing_key().public_key;
  const auto text = describe_key_mismatch("srv.example", pinned, offered, "/home/u/.config/msocket/known_names");
  CHECK(text.starts_with("srv.example: name's key does not match the pinned key\n"));
  CHECK(text.find("pinned key:  " + to_base64(pinned)) != std::string::npos);
  CHECK(text.find("offered key: " + to_base64(offered)) != std::string::npos);
  CHECK(text.find("/home/u/.config/msocket/known_names") != std::string::npos);
}
