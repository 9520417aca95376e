#include "names/key_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "names/file_io.hpp"
#include "names/name_error.hpp"

namespace msocket::names {
namespace {

using error_code = boost::system::error_code;

// A key file is one short line; anything longer is not one.
constexpr std::size_t kMaxFileSize = 512;

}  // namespace

error_code save_key_file(const std::filesystem::path& path, const SigningKey& key) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return last_system_error();
  std::string line = to_base64(key.secret_key) + "\n";
  auto ec = write_all(fd, line);
  sodium_memzero(line.data(), line.size());
  if (!ec && ::fsync(fd) != 0) ec = last_system_error();
  ::close(fd);
  if (ec) ::unlink(path.c_str());
  return ec;
}

result<SigningKey> load_key_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return last_system_error();
  struct stat st {};
  std::string text(kMaxFileSize + 1, '\0');
  std::size_t size = 0;
  error_code ec;
  if (::fstat(fd, &st) != 0) ec = last_system_error();
  // As ssh does: a secret others can read is no longer a secret.
  else if ((st.st_mode & 077) != 0) ec = name_error::key_file_unprotected;
  while (!ec && size < text.size()) {
    const auto n = ::read(fd, text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ec = last_system_error();
    if (n <= 0) break;
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (ec) return ec;
  text.resize(size);
  if (size > kMaxFileSize) return name_error::bad_key_file;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto bytes = from_base64(text, std::tuple_size_v<SecretKey>);
  sodium_memzero(text.data(), text.size());
  if (!bytes) return name_error::bad_key_file;
  SigningKey key;
  std::copy(bytes->begin(), bytes->end(), key.secret_key.begin());
  sodium_memzero(bytes->data(), bytes->size());
  // The second half must be the public key of the first (the seed): a file
  // cut and pasted from two keys would otherwise sign with one and name the other.
  SecretKey rebuilt{};
  const bool consistent =
      sodium_init() >= 0 &&
      crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(key.public_key.data()),
                               reinterpret_cast<unsigned char*>(rebuilt.data()),
                               reinterpret_cast<const unsigned char*>(key.secret_key.data())) == 0 &&
      rebuilt == key.secret_key;
  sodium_memzero(rebuilt.data(), rebuilt.size());
  if (!consistent) return name_error::bad_key_file;
  return key;
}

}  // namespace msocket::names
