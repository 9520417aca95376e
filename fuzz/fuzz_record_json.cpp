// A name record as mnamed receives one in a PUT or DELETE body: JSON text
// (boost::json::parse, without throwing) read by names::from_json. A record
// that reads must survive to_json -> from_json and serialize -> parse ->
// from_json unchanged, and its signature must verify (or not) the same way
// after the trip.
#include <string_view>

#include <boost/json.hpp>

#include "check.hpp"
#include "names/record.hpp"

using namespace msocket;
namespace json = boost::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  const auto value = json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec) return 0;
  const auto record = names::from_json(value);
  if (!record) {
    FUZZ_CHECK(record.error() == errc::bad_frame);
    return 0;
  }
  FUZZ_CHECK(names::valid_name(record->name));
  FUZZ_CHECK(record->addresses.size() <= names::kMaxAddresses);
  const bool verified = names::verify(*record);

  const auto again = names::from_json(names::to_json(*record));
  FUZZ_CHECK(again && *again == *record);
  const auto text = json::serialize(names::to_json(*record));
  const auto reparsed = json::parse(text, ec);
  FUZZ_CHECK(!ec);
  const auto third = names::from_json(reparsed);
  FUZZ_CHECK(third && *third == *record);
  FUZZ_CHECK(names::verify(*third) == verified);
  return 0;
}
