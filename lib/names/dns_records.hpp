// The resource records of mnamed's DNS face, made from a name record with
// ldns (dns_answer.hpp says which answer carries which). Each function
// returns records the caller owns; none of them fails on a name record that
// passed from_json (an address ldns cannot read is left out, not an error).
// Private to lib/names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ldns_handles.hpp"
#include "names/record.hpp"

namespace msocket::names {

// A (LDNS_RR_TYPE_A) or AAAA records of `owner`, one per address of that
// family in `record`, each once. Unspecified and scoped (link-local "%if")
// addresses are left out: they lead nowhere from another host.
std::vector<LdnsRecord> address_records(const ldns_rdf* owner, const Record& record, ldns_rr_type type,
                                        std::uint32_t ttl);
// SRV 0 0 PORT `owner`, one per distinct port of the record's addresses.
std::vector<LdnsRecord> service_records(const ldns_rdf* owner, const Record& record, std::uint32_t ttl);
// TXT: the owner key in base64.
LdnsRecord owner_key_record(const ldns_rdf* owner, const Record& record, std::uint32_t ttl);
// HINFO "RFC8482" "": the whole answer to ANY (RFC 8482 §4.2).
LdnsRecord any_refusal_record(const ldns_rdf* owner, std::uint32_t ttl);
// The zone's SOA: mnamed.ZONE hostmaster.ZONE, serial `serial`, every
// timer and the negative TTL (RFC 2308 §5) `ttl`.
LdnsRecord zone_authority_record(const ldns_rdf* zone, std::uint32_t serial, std::uint32_t ttl);

}  // namespace msocket::names
