// mnamed's DNS face (RFC 1035), the pure part: the bytes of one query and a
// way to look a name up go in; the bytes of the answer come out, or nothing
// when the query is to be dropped. No sockets, no clock (`now` is passed
// in). The wire format is ldns's (wire2pkt to read, pkt2wire to write): a
// parser of our own is exactly what a stranger's datagram should not meet.
//
// NAME.ZONE answers, from the live record of NAME:
//   A, AAAA  each address of that family (the record's "IP:PORT" entries)
//   SRV      0 0 PORT NAME.ZONE for each distinct port, A/AAAA as additional
//   TXT      the owner key in base64, as the JSON API shows it
//   ANY      one HINFO "RFC8482" (RFC 8482: no amplification through ANY)
// with a TTL of at most `max_ttl`, and never past the record's expiry.
// The zone's apex answers SOA. A name with no live record: NXDOMAIN with the
// SOA in authority (RFC 2308), as is a name that holds no record of the type
// asked (NODATA: NOERROR, no answer). Outside the zone, or of another class
// than IN: REFUSED. Another opcode than QUERY: NOTIMP.
// Dropped, unanswered: what does not parse, what is a response rather than a
// query, what has no question or more than one, or records in its answer
// or authority sections, and anything longer than kMaxDnsQuery bytes (a
// query is a name and a few fields: a longer one is not a resolver's).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "names/record.hpp"

namespace msocket::names {

inline constexpr std::size_t kMaxDnsQuery = 512;
// The largest answer over UDP: 512 bytes without EDNS (RFC 1035 §4.2.1),
// with EDNS what the client offers up to 1232 (the DNS flag day 2020 size,
// which fits any path's MTU). Over TCP, 65535.
inline constexpr std::size_t kMaxDnsUdpAnswer = 1232;

struct DnsZone {
  // The zone's name, e.g. "names.example": letters, digits, '-', '.' (a
  // trailing dot optional); compared without regard to case.
  std::string origin;
  std::chrono::seconds max_ttl{5};
};

// Whether the zone's name is a domain name mnamed can serve.
bool valid_dns_zone(const DnsZone& zone);

// The live record of a name (Registry::get, at the same `now`), if any.
using DnsLookup = std::function<std::optional<Record>(const std::string& name)>;

enum class DnsTransport { udp, tcp };

enum class DnsOutcome {
  answered,   // NOERROR with records in the answer
  no_data,    // NOERROR, the name exists but holds nothing of that type
  no_name,    // NXDOMAIN
  refused,    // REFUSED: outside the zone, or not class IN
  not_implemented,  // NOTIMP: an opcode other than QUERY
  dropped_malformed,
  dropped_oversized,
};
const char* describe(DnsOutcome outcome);

struct DnsReply {
  DnsOutcome outcome = DnsOutcome::dropped_malformed;
  std::vector<std::uint8_t> bytes;  // empty when dropped
  // The question, for logs: "srv.names.example. A" (empty when dropped).
  std::string question;
};

// The answer to `query`. Over UDP an answer that does not fit (see
// kMaxDnsUdpAnswer) is sent with TC set and no records, so the client asks
// again over TCP. `now`: seconds since the epoch. `zone` must pass
// valid_dns_zone. Never throws because of the query.
DnsReply answer_dns_query(std::span<const std::uint8_t> query, const DnsZone& zone, const DnsLookup& lookup,
                          std::int64_t now, DnsTransport transport);

}  // namespace msocket::names
