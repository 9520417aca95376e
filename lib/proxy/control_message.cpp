#include "proxy/control_message.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/json.hpp>
#include <sodium.h>

namespace msocket::proxy {
namespace {

namespace json = boost::json;

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

constexpr std::array<std::pair<Refusal, const char*>, 5> kRefusals{{
    {Refusal::full, "full"},
    {Refusal::not_owner, "not_owner"},
    {Refusal::limited, "limited"},
    {Refusal::draining, "draining"},
    {Refusal::malformed, "malformed"},
}};

template <std::size_t N>
std::string base64(const std::array<std::byte, N>& bytes) {
  return names::to_base64(std::span<const std::byte>(bytes));
}

// The fields of one message as read: each accessor answers false when the
// field is missing, of the wrong type or out of range.
class Fields {
 public:
  explicit Fields(const json::object& object) : object_(object) {}

  bool text(const char* field, std::string& out, std::size_t max) const {
    const auto* v = object_.if_contains(field);
    if (!v || !v->is_string() || v->as_string().size() > max) return false;
    out = std::string(v->as_string());
    return true;
  }
  template <class Unsigned>
  bool number(const char* field, Unsigned& out) const {
    const auto* v = object_.if_contains(field);
    if (!v) return false;
    std::uint64_t n = 0;
    if (v->is_uint64()) n = v->as_uint64();
    else if (v->is_int64() && v->as_int64() >= 0) n = static_cast<std::uint64_t>(v->as_int64());
    else return false;
    if (n > std::numeric_limits<Unsigned>::max()) return false;
    out = static_cast<Unsigned>(n);
    return true;
  }
  template <std::size_t N>
  bool bytes(const char* field, std::array<std::byte, N>& out) const {
    std::string text_form;
    if (!text(field, text_form, 4 * N)) return false;
    auto decoded = names::from_base64(text_form, N);
    if (!decoded) return false;
    std::copy(decoded->begin(), decoded->end(), out.begin());
    return true;
  }

 private:
  const json::object& object_;
};

json::object to_object(const Hello& m) { return {{"type", "hello"}, {"version", m.version}}; }
json::object to_object(const Challenge& m) {
  return {{"type", "challenge"}, {"nonce", base64(m.nonce)}, {"ttl", m.ttl}, {"max_flows", m.max_flows}};
}
json::object to_object(const Reserve& m) {
  return {{"type", "reserve"}, {"name", m.name}, {"key", base64(m.key)}, {"signature", base64(m.signature)}};
}
json::object to_object(const Reserved& m) { return {{"type", "reserved"}, {"address", m.address}, {"ttl", m.ttl}}; }
json::object to_object(const Refused& m) {
  return {{"type", "refused"}, {"reason", to_string(m.reason)}, {"message", m.message}};
}
json::object to_object(const Renew&) { return {{"type", "renew"}}; }
json::object to_object(const Open& m) {
  return {{"type", "open"}, {"flow", m.flow}, {"token", base64(m.token)}, {"client", m.client}};
}
json::object to_object(const Join& m) { return {{"type", "join"}, {"flow", m.flow}, {"token", base64(m.token)}}; }
json::object to_object(const Drain&) { return {{"type", "drain"}}; }

std::optional<Message> from_fields(std::string_view type, const Fields& f) {
  if (type == "hello") {
    Hello m;
    if (!f.number("version", m.version) || m.version < 1) return std::nullopt;
    return m;
  }
  if (type == "challenge") {
    Challenge m;
    if (!f.bytes("nonce", m.nonce) || !f.number("ttl", m.ttl) || !f.number("max_flows", m.max_flows))
      return std::nullopt;
    return m;
  }
  if (type == "reserve") {
    Reserve m;
    if (!f.text("name", m.name, names::kMaxNameLength) || !names::valid_name(m.name) || !f.bytes("key", m.key) ||
        !f.bytes("signature", m.signature))
      return std::nullopt;
    return m;
  }
  if (type == "reserved") {
    Reserved m;
    if (!f.text("address", m.address, 64) || !names::valid_address(m.address) || !f.number("ttl", m.ttl))
      return std::nullopt;
    return m;
  }
  if (type == "refused") {
    Refused m;
    std::string reason;
    if (!f.text("reason", reason, 32) || !f.text("message", m.message, 512)) return std::nullopt;
    const auto* known = std::find_if(kRefusals.begin(), kRefusals.end(), [&](auto& r) { return reason == r.second; });
    if (known == kRefusals.end()) return std::nullopt;
    m.reason = known->first;
    return m;
  }
  if (type == "renew") return Renew{};
  if (type == "open") {
    Open m;
    if (!f.number("flow", m.flow) || !f.bytes("token", m.token) || !f.text("client", m.client, 64)) return std::nullopt;
    return m;
  }
  if (type == "join") {
    Join m;
    if (!f.number("flow", m.flow) || !f.bytes("token", m.token)) return std::nullopt;
    return m;
  }
  if (type == "drain") return Drain{};
  return std::nullopt;
}

}  // namespace

const char* to_string(Refusal refusal) {
  for (const auto& [r, text] : kRefusals)
    if (r == refusal) return text;
  return "malformed";
}

std::string encode(const Message& message) {
  const auto body = json::serialize(std::visit([](const auto& m) { return to_object(m); }, message));
  std::string out;
  out.push_back(static_cast<char>((body.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(body.size() & 0xff));
  return out + body;
}

result<std::size_t> body_length(std::span<const std::byte, kLengthSize> header) {
  const std::size_t n = (std::to_integer<std::size_t>(header[0]) << 8) | std::to_integer<std::size_t>(header[1]);
  if (n == 0 || n > kMaxMessage) return errc::bad_frame;
  return n;
}

result<Message> decode(std::string_view body) {
  if (body.size() > kMaxMessage) return errc::bad_frame;
  boost::system::error_code ec;
  json::parse_options limits;
  limits.max_depth = 4;
  const auto value = json::parse(body, ec, {}, limits);
  if (ec || !value.is_object()) return errc::bad_frame;
  const auto& object = value.as_object();
  const auto* type = object.if_contains("type");
  if (!type || !type->is_string()) return errc::bad_frame;
  auto message = from_fields(std::string_view(type->as_string()), Fields(object));
  if (!message) return errc::bad_frame;
  return *message;
}

std::string reserve_signing_bytes(const Nonce& nonce, std::string_view name) {
  // A label, so that no signature of a record or a handshake is ever a
  // valid reservation, and the name behind the relay's fresh nonce.
  std::string out = "msocket relay reservation v1";
  out.push_back('\0');
  out.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  out.append(name);
  return out;
}

Reserve make_reserve(const Nonce& nonce, std::string name, const names::SigningKey& key) {
  ensure_sodium();
  Reserve reserve;
  reserve.name = std::move(name);
  reserve.key = key.public_key;
  const auto bytes = reserve_signing_bytes(nonce, reserve.name);
  crypto_sign_detached(reinterpret_cast<unsigned char*>(reserve.signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                       reinterpret_cast<const unsigned char*>(key.secret_key.data()));
  return reserve;
}

bool verify(const Reserve& reserve, const Nonce& nonce) {
  ensure_sodium();
  if (!names::valid_name(reserve.name)) return false;
  const auto bytes = reserve_signing_bytes(nonce, reserve.name);
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(reserve.signature.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                                     reinterpret_cast<const unsigned char*>(reserve.key.data())) == 0;
}

Nonce random_nonce() {
  ensure_sodium();
  Nonce n;
  randombytes_buf(n.data(), n.size());
  return n;
}

Token random_token() {
  ensure_sodium();
  Token t;
  randombytes_buf(t.data(), t.size());
  return t;
}

}  // namespace msocket::proxy
