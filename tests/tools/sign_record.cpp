// sign_record KEY_FILE NAME VERSION EXPIRES [ADDR:PORT...]: prints a name
// record signed with the key in KEY_FILE, as one line of JSON, with any
// version and expiry (seconds since the epoch), e.g. an attacker's record
// at version 2^63 for a name service of its own. Exit: 0, or 2 on a bad
// argument or key file.
#include <cstdio>
#include <string>

#include <boost/json/serialize.hpp>

#include "names/key_file.hpp"
#include "names/record.hpp"

using namespace msocket::names;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: sign_record KEY_FILE NAME VERSION EXPIRES [ADDR:PORT...]\n");
    return 2;
  }
  const auto key = load_key_file(argv[1]);
  if (!key) {
    std::fprintf(stderr, "sign_record: %s: %s\n", argv[1], key.error().message().c_str());
    return 2;
  }
  Record record;
  record.name = argv[2];
  try {
    record.version = std::stoull(argv[3]);
    record.expires = std::stoll(argv[4]);
  } catch (const std::exception&) {
    std::fprintf(stderr, "sign_record: VERSION and EXPIRES must be numbers\n");
    return 2;
  }
  for (int i = 5; i < argc; ++i) record.addresses.emplace_back(argv[i]);
  if (!valid_name(record.name)) {
    std::fprintf(stderr, "sign_record: invalid name '%s'\n", argv[2]);
    return 2;
  }
  sign(record, *key);
  std::printf("%s\n", boost::json::serialize(to_json(record)).c_str());
  return 0;
}
