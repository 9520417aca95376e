#include <filesystem>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "testbed/files.hpp"

namespace fs = std::filesystem;
namespace testbed = msocket::testbed;

TEST_CASE("a temporary directory goes with its contents", "[testbed]") {
  fs::path kept;
  {
    const testbed::TemporaryDirectory scratch("testbed-files");
    kept = scratch.path();
    CHECK(fs::is_directory(kept));
    CHECK(kept.filename().string().starts_with("testbed-files."));
    fs::create_directories(kept / "a" / "b");
    testbed::write_file(kept / "a" / "b" / "c.txt", "x");
  }
  CHECK_FALSE(fs::exists(kept));
}

TEST_CASE("write_file replaces a file, file_tail gives its last lines", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-files");
  const auto file = scratch.path() / "log";
  testbed::write_file(file, "old text that goes\n");
  testbed::write_file(file, "1\n2\n3\n4\n5\n6\n7\n");
  CHECK(testbed::file_tail(file) == "3 | 4 | 5 | 6 | 7");
  CHECK(testbed::file_tail(file, 2) == "6 | 7");
  CHECK(testbed::file_tail(file, 10) == "1 | 2 | 3 | 4 | 5 | 6 | 7");
  testbed::write_file(file, "");
  CHECK(testbed::file_tail(file) == "(nothing on stderr)");
  CHECK(testbed::file_tail(scratch.path() / "absent") == "(nothing on stderr)");
}

TEST_CASE("write_file names the file it cannot write", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-files");
  const auto file = scratch.path() / "no-such-directory" / "f";
  CHECK_THROWS_WITH(testbed::write_file(file, "x"), Catch::Contains(file.string()));
}
