// mnamed's DNS face: a query in, an answer (or a drop) out
// (names/dns_answer.hpp says what is answered to what).
#include "names/dns_answer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "dns_records.hpp"
#include "ldns_handles.hpp"

namespace msocket::names {

namespace {

// What answering one question needs to know.
struct Question {
  const ldns_pkt* query;
  const ldns_rr* entry;  // the question section's only entry
  ldns_rr_type type;
  const ldns_rdf* zone;
  std::uint32_t max_ttl;
  std::int64_t now;
};

LdnsField zone_name(const DnsZone& zone) {
  LdnsField name(ldns_dname_new_frm_str(zone.origin.c_str()));
  if (name) ldns_dname2canonical(name.get());
  return name;
}

std::string text_of(const ldns_rdf* field) {
  char* text = ldns_rdf2str(field);
  std::string copy = text ? text : "";
  std::free(text);
  return copy;
}

// An answer with the query's id, opcode, RD and CD, and its question.
LdnsPacket answer_header(const ldns_pkt* query, const ldns_rr* question, ldns_pkt_rcode rcode, bool authoritative) {
  LdnsPacket answer(ldns_pkt_new());
  ldns_pkt_set_id(answer.get(), ldns_pkt_id(query));
  ldns_pkt_set_qr(answer.get(), true);
  ldns_pkt_set_opcode(answer.get(), ldns_pkt_get_opcode(query));
  ldns_pkt_set_aa(answer.get(), authoritative);
  ldns_pkt_set_rd(answer.get(), ldns_pkt_rd(query));
  ldns_pkt_set_cd(answer.get(), ldns_pkt_cd(query));
  ldns_pkt_set_rcode(answer.get(), rcode);
  if (question) ldns_pkt_push_rr(answer.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(question));
  // EDNS answered with EDNS (RFC 6891 §7), offering what we send at most.
  if (ldns_pkt_edns(query)) ldns_pkt_set_edns_udp_size(answer.get(), kMaxDnsUdpAnswer);
  return answer;
}

void push(ldns_pkt* packet, ldns_pkt_section section, std::vector<LdnsRecord> records) {
  for (auto& record : records) ldns_pkt_push_rr(packet, section, record.release());
}

void push_authority(ldns_pkt* packet, const Question& q) {
  auto soa = zone_authority_record(q.zone, static_cast<std::uint32_t>(q.now), q.max_ttl);
  ldns_pkt_push_rr(packet, LDNS_SECTION_AUTHORITY, soa.release());
}

// Never past the record's expiry (Registry::get gives only live records,
// whose expiry is ahead of `now`).
std::uint32_t ttl_for(const Record& record, const Question& q) {
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(record.expires - q.now, 0, q.max_ttl));
}

// The records of NAME.ZONE of the type asked, from its live record.
std::vector<LdnsRecord> records_for(const Record& record, const Question& q) {
  const auto* owner = ldns_rr_owner(q.entry);
  const auto ttl = ttl_for(record, q);
  std::vector<LdnsRecord> records;
  switch (q.type) {
    case LDNS_RR_TYPE_A:
    case LDNS_RR_TYPE_AAAA:
      return address_records(owner, record, q.type, ttl);
    case LDNS_RR_TYPE_SRV:
      return service_records(owner, record, ttl);
    case LDNS_RR_TYPE_TXT:
      records.push_back(owner_key_record(owner, record, ttl));
      return records;
    case LDNS_RR_TYPE_ANY:
      records.push_back(any_refusal_record(owner, ttl));
      return records;
    default:
      return records;
  }
}

// The name NAME of NAME.ZONE: the question's name without the zone, in
// lower case, or as asked (a name registered with capitals).
std::vector<std::string> names_asked(const ldns_rdf* asked, const ldns_rdf* zone) {
  const std::string spelled = text_of(asked);
  const std::string zone_text = text_of(zone);
  // "srv.names.example." less ".names.example." (`asked` is below `zone`)
  auto strip = [&](const std::string& text) { return text.substr(0, text.size() - zone_text.size() - 1); };
  std::string lower = spelled;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::vector<std::string> names{strip(lower)};
  if (spelled != lower) names.push_back(strip(spelled));
  return names;
}

// The answer to a question about a name of the zone, below its apex.
LdnsPacket answer_name(const Question& q, const DnsLookup& lookup, DnsOutcome& outcome) {
  std::optional<Record> record;
  for (const auto& name : names_asked(ldns_rr_owner(q.entry), q.zone)) {
    if (valid_name(name)) record = lookup(name);
    if (record) break;
  }
  if (!record) {
    outcome = DnsOutcome::no_name;
    auto answer = answer_header(q.query, q.entry, LDNS_RCODE_NXDOMAIN, true);
    push_authority(answer.get(), q);
    return answer;
  }
  auto answer = answer_header(q.query, q.entry, LDNS_RCODE_NOERROR, true);
  auto records = records_for(*record, q);
  outcome = records.empty() ? DnsOutcome::no_data : DnsOutcome::answered;
  if (records.empty()) push_authority(answer.get(), q);
  push(answer.get(), LDNS_SECTION_ANSWER, std::move(records));
  if (q.type == LDNS_RR_TYPE_SRV) {  // the target's addresses, saving a second query
    const auto ttl = ttl_for(*record, q);
    push(answer.get(), LDNS_SECTION_ADDITIONAL, address_records(ldns_rr_owner(q.entry), *record, LDNS_RR_TYPE_A, ttl));
    push(answer.get(), LDNS_SECTION_ADDITIONAL,
         address_records(ldns_rr_owner(q.entry), *record, LDNS_RR_TYPE_AAAA, ttl));
  }
  return answer;
}

// The zone's apex holds its SOA and nothing else.
LdnsPacket answer_apex(const Question& q, DnsOutcome& outcome) {
  auto answer = answer_header(q.query, q.entry, LDNS_RCODE_NOERROR, true);
  auto soa = zone_authority_record(q.zone, static_cast<std::uint32_t>(q.now), q.max_ttl);
  const bool asked = q.type == LDNS_RR_TYPE_SOA || q.type == LDNS_RR_TYPE_ANY;
  outcome = asked ? DnsOutcome::answered : DnsOutcome::no_data;
  ldns_pkt_push_rr(answer.get(), asked ? LDNS_SECTION_ANSWER : LDNS_SECTION_AUTHORITY, soa.release());
  return answer;
}

// A query with one question, and nothing in the answer and authority
// sections (the additional one may hold EDNS's OPT).
bool well_formed_query(const ldns_pkt* packet) {
  return !ldns_pkt_qr(packet) && ldns_pkt_qdcount(packet) == 1 && ldns_pkt_ancount(packet) == 0 &&
         ldns_pkt_nscount(packet) == 0 && ldns_rr_list_rr_count(ldns_pkt_question(packet)) == 1;
}

std::vector<std::uint8_t> wire_of(const ldns_pkt* packet) {
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&wire, packet, &size) != LDNS_STATUS_OK) return {};
  std::vector<std::uint8_t> bytes(wire, wire + size);
  std::free(wire);
  return bytes;
}

std::size_t answer_limit(const ldns_pkt* query, DnsTransport transport) {
  if (transport == DnsTransport::tcp) return 65535;
  if (!ldns_pkt_edns(query)) return 512;
  return std::clamp<std::size_t>(ldns_pkt_edns_udp_size(query), 512, kMaxDnsUdpAnswer);
}

std::string describe_question(const Question& q) {
  char* type = ldns_rr_type2str(q.type);
  auto text = text_of(ldns_rr_owner(q.entry)) + " " + (type ? type : "?");
  std::free(type);
  return text;
}

}  // namespace

bool valid_dns_zone(const DnsZone& zone) {
  if (zone.origin.empty() || zone.origin.size() > 200 || zone.origin.front() == '.') return false;
  const bool characters = std::all_of(zone.origin.begin(), zone.origin.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.';
  });
  return characters && zone.origin.find("..") == std::string::npos && zone_name(zone) != nullptr;
}

const char* describe(DnsOutcome outcome) {
  switch (outcome) {
    case DnsOutcome::answered: return "answered";
    case DnsOutcome::no_data: return "no data";
    case DnsOutcome::no_name: return "no such name";
    case DnsOutcome::refused: return "refused";
    case DnsOutcome::not_implemented: return "not implemented";
    case DnsOutcome::dropped_malformed: return "dropped: malformed";
    case DnsOutcome::dropped_oversized: return "dropped: oversized";
  }
  return "?";
}

DnsReply answer_dns_query(std::span<const std::uint8_t> query, const DnsZone& zone, const DnsLookup& lookup,
                          std::int64_t now, DnsTransport transport) {
  DnsReply reply;
  if (query.size() > kMaxDnsQuery) {
    reply.outcome = DnsOutcome::dropped_oversized;
    return reply;
  }
  ldns_pkt* parsed = nullptr;
  if (ldns_wire2pkt(&parsed, query.data(), query.size()) != LDNS_STATUS_OK) return reply;
  const LdnsPacket packet(parsed);
  if (!well_formed_query(packet.get())) return reply;
  const auto zone_field = zone_name(zone);
  const auto* entry = ldns_rr_list_rr(ldns_pkt_question(packet.get()), 0);
  const Question q{packet.get(), entry, ldns_rr_get_type(entry), zone_field.get(),
                   static_cast<std::uint32_t>(std::max<std::int64_t>(zone.max_ttl.count(), 0)), now};
  reply.question = describe_question(q);
  LdnsField asked(ldns_rdf_clone(ldns_rr_owner(entry)));
  ldns_dname2canonical(asked.get());
  LdnsPacket answer;
  if (ldns_pkt_get_opcode(packet.get()) != LDNS_PACKET_QUERY) {
    reply.outcome = DnsOutcome::not_implemented;
    answer = answer_header(packet.get(), entry, LDNS_RCODE_NOTIMPL, false);
  } else if (ldns_rr_get_class(entry) != LDNS_RR_CLASS_IN ||
             !(ldns_dname_compare(asked.get(), q.zone) == 0 || ldns_dname_is_subdomain(asked.get(), q.zone))) {
    reply.outcome = DnsOutcome::refused;
    answer = answer_header(packet.get(), entry, LDNS_RCODE_REFUSED, false);
  } else if (ldns_dname_compare(asked.get(), q.zone) == 0) {
    answer = answer_apex(q, reply.outcome);
  } else {
    answer = answer_name(q, lookup, reply.outcome);
  }
  reply.bytes = wire_of(answer.get());
  if (reply.bytes.size() > answer_limit(packet.get(), transport)) {
    // Too big for this datagram: say so (TC), and the client asks over TCP.
    auto truncated = answer_header(packet.get(), entry, ldns_pkt_get_rcode(answer.get()), true);
    ldns_pkt_set_tc(truncated.get(), true);
    reply.bytes = wire_of(truncated.get());
  }
  return reply;
}

}  // namespace msocket::names
