#include "dns_records.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <string_view>

namespace msocket::names {

namespace {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

// "IP:PORT" or "[IPv6]:PORT", as valid_address() accepts them.
std::optional<HostPort> split_address(std::string_view address) {
  const auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port_text = address.substr(colon + 1);
  std::uint16_t port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0) return std::nullopt;
  return HostPort{std::string(host), port};
}

LdnsRecord new_record(const ldns_rdf* owner, ldns_rr_type type, std::uint32_t ttl) {
  LdnsRecord record(ldns_rr_new());
  ldns_rr_set_owner(record.get(), ldns_rdf_clone(owner));
  ldns_rr_set_type(record.get(), type);
  ldns_rr_set_class(record.get(), LDNS_RR_CLASS_IN);
  ldns_rr_set_ttl(record.get(), ttl);
  return record;
}

bool all_zero(const ldns_rdf* field) {
  const auto* data = ldns_rdf_data(field);
  return std::all_of(data, data + ldns_rdf_size(field), [](std::uint8_t b) { return b == 0; });
}

// The address field of `host` for `type`, or nullptr if it is not one of
// that family, or leads nowhere.
LdnsField address_field(const std::string& host, ldns_rr_type type) {
  const bool v6 = host.find(':') != std::string::npos;
  if (v6 != (type == LDNS_RR_TYPE_AAAA) || host.find('%') != std::string::npos) return nullptr;
  LdnsField field(ldns_rdf_new_frm_str(v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, host.c_str()));
  if (field && all_zero(field.get())) return nullptr;
  return field;
}

}  // namespace

std::vector<LdnsRecord> address_records(const ldns_rdf* owner, const Record& record, ldns_rr_type type,
                                        std::uint32_t ttl) {
  std::vector<LdnsRecord> records;
  std::set<std::string> seen;  // a server listening on two ports has its address twice
  for (const auto& address : record.addresses) {
    const auto split = split_address(address);
    if (!split || !seen.insert(split->host).second) continue;
    auto field = address_field(split->host, type);
    if (!field) continue;
    auto rr = new_record(owner, type, ttl);
    ldns_rr_push_rdf(rr.get(), field.release());
    records.push_back(std::move(rr));
  }
  return records;
}

std::vector<LdnsRecord> service_records(const ldns_rdf* owner, const Record& record, std::uint32_t ttl) {
  std::vector<LdnsRecord> records;
  std::set<std::uint16_t> ports;
  for (const auto& address : record.addresses)
    if (const auto split = split_address(address)) ports.insert(split->port);
  for (const auto port : ports) {
    auto rr = new_record(owner, LDNS_RR_TYPE_SRV, ttl);
    ldns_rr_push_rdf(rr.get(), ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, 0));  // priority
    ldns_rr_push_rdf(rr.get(), ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, 0));  // weight
    ldns_rr_push_rdf(rr.get(), ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, port));
    ldns_rr_push_rdf(rr.get(), ldns_rdf_clone(owner));  // target: the same name, whose A/AAAA follow
    records.push_back(std::move(rr));
  }
  return records;
}

LdnsRecord owner_key_record(const ldns_rdf* owner, const Record& record, std::uint32_t ttl) {
  auto rr = new_record(owner, LDNS_RR_TYPE_TXT, ttl);
  ldns_rr_push_rdf(rr.get(), ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, to_base64(record.owner).c_str()));
  return rr;
}

LdnsRecord any_refusal_record(const ldns_rdf* owner, std::uint32_t ttl) {
  auto rr = new_record(owner, LDNS_RR_TYPE_HINFO, ttl);
  ldns_rr_push_rdf(rr.get(), ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, "RFC8482"));
  ldns_rr_push_rdf(rr.get(), ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, ""));
  return rr;
}

LdnsRecord zone_authority_record(const ldns_rdf* zone, std::uint32_t serial, std::uint32_t ttl) {
  auto rr = new_record(zone, LDNS_RR_TYPE_SOA, ttl);
  LdnsField server(ldns_dname_new_frm_str("mnamed"));
  LdnsField mailbox(ldns_dname_new_frm_str("hostmaster"));
  ldns_rr_push_rdf(rr.get(), ldns_dname_cat_clone(server.get(), zone));
  ldns_rr_push_rdf(rr.get(), ldns_dname_cat_clone(mailbox.get(), zone));
  ldns_rr_push_rdf(rr.get(), ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, serial));
  for (int timer = 0; timer < 4; ++timer)  // refresh, retry, expire, minimum (the negative TTL)
    ldns_rr_push_rdf(rr.get(), ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, ttl));
  return rr;
}

}  // namespace msocket::names
