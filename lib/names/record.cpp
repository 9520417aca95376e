#include "names/record.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>
#include <sodium.h>

namespace msocket::names {
namespace {

namespace json = boost::json;

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

auto u8(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }
auto u8(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }

void put_field(std::string& out, std::string_view field) {
  std::uint32_t n = static_cast<std::uint32_t>(field.size());
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(field);
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <std::size_t N>
bool read_key(const json::object& o, const char* field, std::array<std::byte, N>& out) {
  const auto* v = o.if_contains(field);
  if (!v || !v->is_string()) return false;
  auto bytes = from_base64(std::string_view(v->as_string()), N);
  if (!bytes) return false;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return true;
}

}  // namespace

SigningKey generate_signing_key() {
  ensure_sodium();
  SigningKey key;
  crypto_sign_keypair(u8(key.public_key.data()), u8(key.secret_key.data()));
  return key;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
  });
}

bool valid_address(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string host(address.substr(0, colon));
  const auto port_text = address.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const int port = std::stoi(std::string(port_text));
  if (port < 1 || port > 65535) return false;
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(host, ec);
  return !ec && (ip.is_v4() ? !bracketed : bracketed);
}

std::string signing_bytes(const Record& r) {
  std::string out = "msocket name record v1";
  out.push_back('\0');
  put_field(out, r.name);
  put_u64(out, r.addresses.size());
  for (const auto& a : r.addresses) put_field(out, a);
  put_field(out, r.control);
  put_u64(out, r.version);
  put_u64(out, static_cast<std::uint64_t>(r.expires));
  // Signed only when said, after a label of its own: records without a
  // load sign the same bytes as before there was one.
  if (r.load != 0) {
    put_field(out, "load");
    put_u64(out, r.load);
  }
  out.append(reinterpret_cast<const char*>(r.owner.data()), r.owner.size());
  return out;
}

void sign(Record& record, const SigningKey& key) {
  ensure_sodium();
  record.owner = key.public_key;
  const auto bytes = signing_bytes(record);
  crypto_sign_detached(u8(record.signature.data()), nullptr, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size(), u8(key.secret_key.data()));
}

bool verify(const Record& record) {
  ensure_sodium();
  const auto bytes = signing_bytes(record);
  return crypto_sign_verify_detached(u8(record.signature.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                     u8(record.owner.data())) == 0;
}

std::string to_base64(std::span<const std::byte> bytes) {
  ensure_sodium();
  constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), u8(bytes.data()), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::vector<std::byte>> from_base64(std::string_view text, std::size_t size) {
  ensure_sodium();
  std::vector<std::byte> out(size + 3);  // room to notice a longer input
  std::size_t n = 0;
  const char* end = nullptr;
  if (sodium_base642bin(u8(out.data()), out.size(), text.data(), text.size(), nullptr, &n, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size() || n != size)
    return std::nullopt;
  out.resize(n);
  return out;
}

json::value to_json(const Record& r) {
  json::array addresses;
  for (const auto& a : r.addresses) addresses.emplace_back(a);
  json::object o{{"name", r.name},
                 {"addresses", std::move(addresses)},
                 {"control", r.control},
                 {"version", r.version},
                 {"expires", r.expires}};
  if (r.load != 0) o["load"] = r.load;
  o["owner"] = to_base64(r.owner);
  o["signature"] = to_base64(r.signature);
  return o;
}

result<Record> from_json(const json::value& value) {
  const auto* o = value.if_object();
  if (!o) return errc::bad_frame;
  Record r;
  const auto* name = o->if_contains("name");
  if (!name || !name->is_string() || !valid_name(name->as_string())) return errc::bad_frame;
  r.name = std::string(name->as_string());
  const auto* addresses = o->if_contains("addresses");
  if (!addresses || !addresses->is_array() || addresses->as_array().size() > kMaxAddresses) return errc::bad_frame;
  for (const auto& a : addresses->as_array()) {
    if (!a.is_string() || !valid_address(a.as_string())) return errc::bad_frame;
    r.addresses.emplace_back(a.as_string());
  }
  if (const auto* control = o->if_contains("control")) {
    if (!control->is_string()) return errc::bad_frame;
    r.control = std::string(control->as_string());
    if (!r.control.empty() && !valid_address(r.control)) return errc::bad_frame;
  }
  const auto* version = o->if_contains("version");
  const auto* expires = o->if_contains("expires");
  if (!version || !expires) return errc::bad_frame;
  if (version->is_uint64()) r.version = version->as_uint64();
  else if (version->is_int64() && version->as_int64() >= 0) r.version = static_cast<std::uint64_t>(version->as_int64());
  else return errc::bad_frame;
  if (expires->is_int64()) r.expires = expires->as_int64();
  else if (expires->is_uint64() && expires->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) r.expires = static_cast<std::int64_t>(expires->as_uint64());
  else return errc::bad_frame;
  if (const auto* load = o->if_contains("load")) {
    const auto value = load->is_uint64() ? load->as_uint64()
                       : load->is_int64() && load->as_int64() >= 0 ? static_cast<std::uint64_t>(load->as_int64())
                                                                   : kMaxLoad + 1;
    if (value > kMaxLoad) return errc::bad_frame;
    r.load = static_cast<std::uint32_t>(value);
  }
  if (!read_key(*o, "owner", r.owner) || !read_key(*o, "signature", r.signature)) return errc::bad_frame;
  return r;
}

}  // namespace msocket::names
