// The DNS face's answers (lib/names/dns_answer.cpp). Queries are made with
// ldns (the library the code under test reads them with; one query is
// written out byte by byte), answers read back with ldns.
#include <stdbool.h>  // before ldns: see lib/names/ldns_handles.hpp

#include <ldns/ldns.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <string>

#include "names/dns_answer.hpp"

using namespace msocket::names;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

struct PacketFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Packet = std::unique_ptr<ldns_pkt, PacketFree>;
using Bytes = std::vector<std::uint8_t>;

Record sample_record() {
  Record r;
  r.name = "srv";
  r.addresses = {"10.200.2.2:7000", "[2001:db8::2]:7000", "10.200.2.2:7001", "0.0.0.0:7000"};
  r.version = 3;
  r.expires = kNow + 3600;
  r.owner.fill(std::byte{0x42});
  return r;
}

const DnsZone kZone{"names.example", std::chrono::seconds(5)};

struct Lookups {
  std::map<std::string, Record> records{{"srv", sample_record()}};
  std::vector<std::string> asked;
  DnsLookup function() {
    return [this](const std::string& name) -> std::optional<Record> {
      asked.push_back(name);
      auto it = records.find(name);
      return it == records.end() ? std::nullopt : std::optional<Record>(it->second);
    };
  }
};

Bytes wire_of(const ldns_pkt* packet) {
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  REQUIRE(ldns_pkt2wire(&wire, packet, &size) == LDNS_STATUS_OK);
  Bytes bytes(wire, wire + size);
  std::free(wire);
  return bytes;
}

Packet query_packet(const char* name, ldns_rr_type type, ldns_rr_class klass = LDNS_RR_CLASS_IN) {
  Packet q(ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, klass, LDNS_RD));
  ldns_pkt_set_id(q.get(), 0x1234);
  return q;
}

Bytes query(const char* name, ldns_rr_type type, ldns_rr_class klass = LDNS_RR_CLASS_IN) {
  return wire_of(query_packet(name, type, klass).get());
}

DnsReply ask(const Bytes& bytes, Lookups& lookups, DnsTransport transport = DnsTransport::udp) {
  return answer_dns_query(bytes, kZone, lookups.function(), kNow, transport);
}

Packet parse(const DnsReply& reply) {
  REQUIRE_FALSE(reply.bytes.empty());
  ldns_pkt* packet = nullptr;
  REQUIRE(ldns_wire2pkt(&packet, reply.bytes.data(), reply.bytes.size()) == LDNS_STATUS_OK);
  Packet owned(packet);
  CHECK(ldns_pkt_id(packet) == 0x1234);
  CHECK(ldns_pkt_qr(packet));
  CHECK(ldns_pkt_rd(packet));
  CHECK(ldns_pkt_qdcount(packet) == 1);
  return owned;
}

std::string text(const ldns_rdf* field) {
  char* t = ldns_rdf2str(field);
  std::string s = t;
  std::free(t);
  return s;
}

const ldns_rr* answer_at(const Packet& p, std::size_t i) { return ldns_rr_list_rr(ldns_pkt_answer(p.get()), i); }

}  // namespace

TEST_CASE("dns: A gives the record's IPv4 addresses, once each, with the zone's TTL", "[names]") {
  Lookups lookups;
  const auto reply = ask(query("srv.names.example.", LDNS_RR_TYPE_A), lookups);
  CHECK(reply.outcome == DnsOutcome::answered);
  CHECK(reply.question == "srv.names.example. A");
  const auto p = parse(reply);
  CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
  CHECK(ldns_pkt_aa(p.get()));
  REQUIRE(ldns_pkt_ancount(p.get()) == 1);  // 10.200.2.2 twice (two ports), 0.0.0.0 left out
  CHECK(ldns_rr_get_type(answer_at(p, 0)) == LDNS_RR_TYPE_A);
  CHECK(text(ldns_rr_rdf(answer_at(p, 0), 0)) == "10.200.2.2");
  CHECK(text(ldns_rr_owner(answer_at(p, 0))) == "srv.names.example.");
  CHECK(ldns_rr_ttl(answer_at(p, 0)) == 5);
  CHECK(lookups.asked == std::vector<std::string>{"srv"});
}

TEST_CASE("dns: a query written out byte by byte is answered", "[names]") {
  const Bytes bytes{0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,  // id, RD, one question
                    3,    's',  'r',  'v',  5, 'n', 'a', 'm', 'e', 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
                    0,    1,    0,    1};  // A, IN
  Lookups lookups;
  const auto reply = ask(bytes, lookups);
  REQUIRE(reply.outcome == DnsOutcome::answered);
  REQUIRE(reply.bytes.size() > 12);
  CHECK(reply.bytes[0] == 0xbe);
  CHECK(reply.bytes[1] == 0xef);
  CHECK((reply.bytes[2] & 0x80) != 0);  // QR
  CHECK((reply.bytes[2] & 0x04) != 0);  // AA
  CHECK((reply.bytes[3] & 0x0f) == 0);  // NOERROR
  CHECK(reply.bytes[7] == 1);           // one answer
  // The answer's address is the last 4 bytes.
  CHECK(Bytes(reply.bytes.end() - 4, reply.bytes.end()) == Bytes{10, 200, 2, 2});
}

TEST_CASE("dns: AAAA gives the IPv6 addresses, and none is NODATA with the SOA", "[names]") {
  Lookups lookups;
  auto p = parse(ask(query("srv.names.example.", LDNS_RR_TYPE_AAAA), lookups));
  REQUIRE(ldns_pkt_ancount(p.get()) == 1);
  CHECK(text(ldns_rr_rdf(answer_at(p, 0), 0)) == "2001:db8::2");

  lookups.records["srv"].addresses = {"10.200.2.2:7000"};
  const auto reply = ask(query("srv.names.example.", LDNS_RR_TYPE_AAAA), lookups);
  CHECK(reply.outcome == DnsOutcome::no_data);
  p = parse(reply);
  CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
  CHECK(ldns_pkt_ancount(p.get()) == 0);
  REQUIRE(ldns_pkt_nscount(p.get()) == 1);
  CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(p.get()), 0)) == LDNS_RR_TYPE_SOA);
}

TEST_CASE("dns: SRV gives each port, the addresses as additional records", "[names]") {
  Lookups lookups;
  const auto p = parse(ask(query("srv.names.example.", LDNS_RR_TYPE_SRV), lookups));
  REQUIRE(ldns_pkt_ancount(p.get()) == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto* srv = answer_at(p, i);
    CHECK(ldns_rr_get_type(srv) == LDNS_RR_TYPE_SRV);
    CHECK(ldns_rdf2native_int16(ldns_rr_rdf(srv, 2)) == 7000 + i);
    CHECK(text(ldns_rr_rdf(srv, 3)) == "srv.names.example.");
  }
  CHECK(ldns_pkt_arcount(p.get()) == 2);  // one A, one AAAA
}

TEST_CASE("dns: TXT gives the owner key in base64", "[names]") {
  Lookups lookups;
  const auto p = parse(ask(query("srv.names.example.", LDNS_RR_TYPE_TXT), lookups));
  REQUIRE(ldns_pkt_ancount(p.get()) == 1);
  CHECK(text(ldns_rr_rdf(answer_at(p, 0), 0)) == "\"" + to_base64(sample_record().owner) + "\"");
}

TEST_CASE("dns: ANY gets one HINFO (RFC 8482), the apex its SOA", "[names]") {
  Lookups lookups;
  auto p = parse(ask(query("srv.names.example.", LDNS_RR_TYPE_ANY), lookups));
  REQUIRE(ldns_pkt_ancount(p.get()) == 1);
  CHECK(ldns_rr_get_type(answer_at(p, 0)) == LDNS_RR_TYPE_HINFO);
  p = parse(ask(query("names.example.", LDNS_RR_TYPE_SOA), lookups));
  REQUIRE(ldns_pkt_ancount(p.get()) == 1);
  CHECK(ldns_rr_get_type(answer_at(p, 0)) == LDNS_RR_TYPE_SOA);
  CHECK(text(ldns_rr_rdf(answer_at(p, 0), 0)) == "mnamed.names.example.");
  CHECK(lookups.asked.size() == 1);
}

TEST_CASE("dns: an unknown name is NXDOMAIN with the SOA, its TTL the zone's", "[names]") {
  Lookups lookups;
  const auto reply = ask(query("nobody.names.example.", LDNS_RR_TYPE_A), lookups);
  CHECK(reply.outcome == DnsOutcome::no_name);
  const auto p = parse(reply);
  CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
  CHECK(ldns_pkt_aa(p.get()));
  REQUIRE(ldns_pkt_nscount(p.get()) == 1);
  const auto* soa = ldns_rr_list_rr(ldns_pkt_authority(p.get()), 0);
  CHECK(ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA);
  CHECK(ldns_rr_ttl(soa) == 5);
  CHECK(ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)) == 5);  // the negative TTL
  // A name mnamed could not hold is not looked up at all.
  lookups.asked.clear();
  CHECK(ask(query("a\\@b.names.example.", LDNS_RR_TYPE_A), lookups).outcome == DnsOutcome::no_name);
  CHECK(lookups.asked.empty());
}

TEST_CASE("dns: outside the zone, or not class IN, is REFUSED", "[names]") {
  Lookups lookups;
  for (const auto* name : {"srv.other.example.", "example.", "srvnames.example.", "."}) {
    const auto reply = ask(query(name, LDNS_RR_TYPE_A), lookups);
    CHECK(reply.outcome == DnsOutcome::refused);
    const auto p = parse(reply);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_REFUSED);
    CHECK(ldns_pkt_ancount(p.get()) == 0);
  }
  CHECK(ask(query("srv.names.example.", LDNS_RR_TYPE_A, LDNS_RR_CLASS_CH), lookups).outcome == DnsOutcome::refused);
  CHECK(lookups.asked.empty());
}

TEST_CASE("dns: names are found whatever their case", "[names]") {
  Lookups lookups;
  const auto p = parse(ask(query("SrV.NAMES.example.", LDNS_RR_TYPE_A), lookups));
  REQUIRE(ldns_pkt_ancount(p.get()) == 1);
  CHECK(text(ldns_rr_owner(answer_at(p, 0))) == "SrV.NAMES.example.");  // as asked (RFC 4343)
  CHECK(lookups.asked == std::vector<std::string>{"srv"});
}

TEST_CASE("dns: the TTL never outlives the record", "[names]") {
  Lookups lookups;
  lookups.records["srv"].expires = kNow + 2;
  for (const auto type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_TXT}) {
    const auto p = parse(ask(query("srv.names.example.", type), lookups));
    REQUIRE(ldns_pkt_ancount(p.get()) >= 1);
    CHECK(ldns_rr_ttl(answer_at(p, 0)) == 2);
  }
}

TEST_CASE("dns: another opcode than QUERY is NOTIMP", "[names]") {
  Lookups lookups;
  auto q = query_packet("srv.names.example.", LDNS_RR_TYPE_A);
  ldns_pkt_set_opcode(q.get(), LDNS_PACKET_STATUS);
  const auto reply = ask(wire_of(q.get()), lookups);
  CHECK(reply.outcome == DnsOutcome::not_implemented);
  CHECK(ldns_pkt_get_rcode(parse(reply).get()) == LDNS_RCODE_NOTIMPL);
}

TEST_CASE("dns: malformed queries are dropped", "[names]") {
  Lookups lookups;
  const auto whole = query("srv.names.example.", LDNS_RR_TYPE_A);
  for (std::size_t size = 0; size < whole.size(); ++size) {
    const auto reply = ask(Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(size)), lookups);
    INFO("cut to " << size << " bytes");
    CHECK(reply.outcome == DnsOutcome::dropped_malformed);
    CHECK(reply.bytes.empty());
  }
  auto response = query_packet("srv.names.example.", LDNS_RR_TYPE_A);
  ldns_pkt_set_qr(response.get(), true);  // an answer sent to us: never answered (no loops)
  CHECK(ask(wire_of(response.get()), lookups).outcome == DnsOutcome::dropped_malformed);
  auto two = query_packet("srv.names.example.", LDNS_RR_TYPE_A);
  ldns_pkt_push_rr(two.get(), LDNS_SECTION_QUESTION,
                   ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(two.get()), 0)));
  CHECK(ask(wire_of(two.get()), lookups).outcome == DnsOutcome::dropped_malformed);
  CHECK(ask(Bytes(40, 0xff), lookups).outcome == DnsOutcome::dropped_malformed);
  CHECK(lookups.asked.empty());
}

TEST_CASE("dns: a query longer than 512 bytes is dropped", "[names]") {
  Lookups lookups;
  auto bytes = query("srv.names.example.", LDNS_RR_TYPE_A);
  bytes.resize(kMaxDnsQuery, 0);  // trailing bytes ldns ignores: still answered
  CHECK(ask(bytes, lookups).outcome == DnsOutcome::answered);
  bytes.push_back(0);
  const auto reply = ask(bytes, lookups);
  CHECK(reply.outcome == DnsOutcome::dropped_oversized);
  CHECK(reply.bytes.empty());
}

TEST_CASE("dns: an answer too big for its datagram is truncated (TC) and TCP carries it whole", "[names]") {
  // 16 AAAA records of a 99-character name: about 600 bytes, even with the
  // owner names compressed.
  const std::string label(24, 'x');  // a DNS label has 63 at most
  const std::string name = label + "." + label + "." + label + "." + label;
  const auto asked = name + ".names.example.";
  Lookups lookups;
  auto& record = lookups.records[name];
  record = sample_record();
  record.addresses.clear();
  for (int i = 1; i <= 16; ++i) record.addresses.push_back("[2001:db8::" + std::to_string(i) + "]:7000");
  const auto bytes = query(asked.c_str(), LDNS_RR_TYPE_AAAA);
  const auto whole = parse(ask(bytes, lookups, DnsTransport::tcp));
  CHECK(ldns_pkt_ancount(whole.get()) == 16);
  CHECK_FALSE(ldns_pkt_tc(whole.get()));
  const auto reply = ask(bytes, lookups);
  CHECK(reply.bytes.size() <= 512);
  const auto cut = parse(reply);
  CHECK(ldns_pkt_tc(cut.get()));
  CHECK(ldns_pkt_ancount(cut.get()) == 0);
  // With EDNS and 1232 bytes offered, it fits.
  auto edns = query_packet(asked.c_str(), LDNS_RR_TYPE_AAAA);
  ldns_pkt_set_edns_udp_size(edns.get(), 1232);
  const auto fits = parse(ask(wire_of(edns.get()), lookups));
  CHECK_FALSE(ldns_pkt_tc(fits.get()));
  CHECK(ldns_pkt_ancount(fits.get()) == 16);
  CHECK(ldns_pkt_edns(fits.get()));
}
