// mnamed's DNS face (names::answer_dns_query, lib/names/dns_answer.cpp) on
// arbitrary datagrams, over UDP and over TCP. The zone is names.test; the
// lookup knows one name, "srv", with IPv4 and IPv6 addresses on two ports.
// Checks: a query is dropped exactly when nothing is sent back, and always
// when it is longer than kMaxDnsQuery; an answer parses (ldns), carries the
// query's id and its one question, is a response, fits its transport, and
// has the rcode its outcome says, and no TTL past the record's expiry.
#include <stdbool.h>  // before ldns: see lib/names/ldns_handles.hpp

#include <ldns/ldns.h>

#include <span>

#include "check.hpp"
#include "names/dns_answer.hpp"

using namespace msocket;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

names::Record known_record() {
  names::Record r;
  r.name = "srv";
  r.addresses = {"10.200.2.2:7000", "[2001:db8::2]:7000", "10.200.2.3:7001"};
  r.version = 1;
  r.expires = kNow + 3;
  r.owner.fill(std::byte{0x42});
  return r;
}

ldns_pkt_rcode rcode_for(names::DnsOutcome outcome) {
  switch (outcome) {
    case names::DnsOutcome::no_name: return LDNS_RCODE_NXDOMAIN;
    case names::DnsOutcome::refused: return LDNS_RCODE_REFUSED;
    case names::DnsOutcome::not_implemented: return LDNS_RCODE_NOTIMPL;
    default: return LDNS_RCODE_NOERROR;
  }
}

void check_answer(std::span<const std::uint8_t> query, const names::DnsReply& reply, names::DnsTransport transport) {
  const bool dropped = reply.outcome == names::DnsOutcome::dropped_malformed ||
                       reply.outcome == names::DnsOutcome::dropped_oversized;
  FUZZ_CHECK(dropped == reply.bytes.empty());
  if (query.size() > names::kMaxDnsQuery) FUZZ_CHECK(reply.outcome == names::DnsOutcome::dropped_oversized);
  if (dropped) return;
  FUZZ_CHECK(reply.bytes.size() <= (transport == names::DnsTransport::udp ? names::kMaxDnsUdpAnswer : 65535));
  ldns_pkt* answer = nullptr;
  FUZZ_CHECK(ldns_wire2pkt(&answer, reply.bytes.data(), reply.bytes.size()) == LDNS_STATUS_OK);
  FUZZ_CHECK(ldns_pkt_qr(answer));
  FUZZ_CHECK(ldns_pkt_id(answer) == (query[0] << 8 | query[1]));
  FUZZ_CHECK(ldns_pkt_qdcount(answer) == 1);
  FUZZ_CHECK(ldns_pkt_get_rcode(answer) == rcode_for(reply.outcome));
  if (reply.outcome == names::DnsOutcome::answered) FUZZ_CHECK(ldns_pkt_ancount(answer) > 0 || ldns_pkt_tc(answer));
  // The name's records outlive neither the zone's TTL (5 s) nor the record
  // (3 s left); the apex's SOA has the zone's.
  for (std::size_t i = 0; i < ldns_pkt_ancount(answer); ++i) {
    const auto* rr = ldns_rr_list_rr(ldns_pkt_answer(answer), i);
    FUZZ_CHECK(ldns_rr_ttl(rr) <= (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA ? 5u : 3u));
  }
  ldns_pkt_free(answer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const names::DnsZone zone{"names.test", std::chrono::seconds(5)};
  static const names::Record record = known_record();
  const names::DnsLookup lookup = [](const std::string& name) -> std::optional<names::Record> {
    FUZZ_CHECK(names::valid_name(name));
    if (name == record.name) return record;
    return std::nullopt;
  };
  const std::span<const std::uint8_t> query(data, size);
  for (const auto transport : {names::DnsTransport::udp, names::DnsTransport::tcp})
    check_answer(query, names::answer_dns_query(query, zone, lookup, kNow, transport), transport);
  return 0;
}
