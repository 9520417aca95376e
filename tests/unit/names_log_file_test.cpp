#include <signal.h>
#include <sys/resource.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "names/log_file.hpp"
#include "temp_dir.hpp"

using namespace msocket::names;
namespace fs = std::filesystem;

namespace {

StoredName live(const SigningKey& key, const std::string& name, std::uint64_t version) {
  StoredName e;
  e.record.name = name;
  e.record.addresses = {"10.0.0.1:7000"};
  e.record.version = version;
  e.record.expires = 2'000'000'000;
  sign(e.record, key);
  return e;
}

// Files of this process may not grow past `bytes` while it lives (writes
// beyond fail with EFBIG, as they would with ENOSPC on a full disk).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t previous_handler_;
};

}  // namespace

TEST_CASE("a failed append is cut back off the log: the refused entries never come back", "[names]") {
  TempDir dir("log-file");
  const auto key = generate_signing_key();
  const auto first = live(key, "kept", 1);
  {
    auto file = LogFile::open(dir.path).value();
    REQUIRE_FALSE(file->append(std::vector{first}));
    const auto size = fs::file_size(dir.path / "log.jsonl");
    std::vector<StoredName> group;
    for (std::uint64_t v = 2; v < 20; ++v) group.push_back(live(key, "refused", v));
    {
      FileSizeLimit limit(size + 2 * entry_line(group.front()).size());  // room for two of them only
      CHECK(file->append(group) == boost::system::errc::file_too_large);
    }
    CHECK(fs::file_size(dir.path / "log.jsonl") == size);
    CHECK_FALSE(file->entries().contains("refused"));
    // The log goes on as before.
    REQUIRE_FALSE(file->append(std::vector{live(key, "later", 1)}));
  }
  auto reopened = LogFile::open(dir.path).value();
  CHECK(reopened->entries().at("kept") == first);
  CHECK(reopened->entries().contains("later"));
  CHECK_FALSE(reopened->entries().contains("refused"));
}
