// Writes the seed corpus of every harness: a handful of small valid inputs
// each, built with the project's own encoders (frames, datagrams, signed
// records) and from the kernel's netlink structs. Deterministic: the signing
// key comes from a fixed seed, so rerunning it rewrites the same files.
// Usage: make_corpus DIR   (DIR is fuzz/corpus; one subdirectory per harness)
#include "paths_netlink_messages.hpp"  // tests/unit/

#include <stdbool.h>  // before ldns: see lib/names/ldns_handles.hpp

#include <ldns/ldns.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <sodium.h>

#include "names/record.hpp"
#include "proxy/control_message.hpp"
#include "session_script.hpp"
#include "wire/codec.hpp"
#include "wire/reconnect.hpp"

namespace {

using namespace msocket;
using Bytes = std::vector<std::byte>;
using fuzz::SessionOp;

std::filesystem::path corpus;

void save(const std::string& harness, const std::string& name, std::span<const std::byte> bytes) {
  std::filesystem::create_directories(corpus / harness);
  std::ofstream out(corpus / harness / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void save(const std::string& harness, const std::string& name, std::string_view text) {
  save(harness, name, std::as_bytes(std::span(text.data(), text.size())));
}

Bytes encoded(const wire::Frame& frame) {
  Bytes out(wire::encoded_size(frame));
  out.resize(wire::encode(frame, out));
  return out;
}

void append(Bytes& out, const std::vector<std::byte>& more) { out.insert(out.end(), more.begin(), more.end()); }

const Bytes kHello = [] {
  const std::string_view text = "hello";
  return Bytes(reinterpret_cast<const std::byte*>(text.data()), reinterpret_cast<const std::byte*>(text.data()) + text.size());
}();

wire::Setup sample_setup(std::uint8_t code) {
  wire::Setup s;
  s.code = code;
  s.conn_id = 0x1122334455667788;
  s.path_id = 2;
  s.ack = 100;
  s.window = 100 + 65536;
  s.counter = 7;
  s.control.ip[10] = s.control.ip[11] = std::byte{0xff};
  s.control.ip[12] = std::byte{127};
  s.control.ip[15] = std::byte{1};
  s.control.port = 4000;
  s.public_key.fill(std::byte{0x42});
  return s;
}

void frame_codec_seeds() {
  save("fuzz_frame_codec", "setup_new", encoded(wire::SetupFrame{sample_setup(1)}));
  save("fuzz_frame_codec", "setup_ack", encoded(wire::SetupAckFrame{sample_setup(0)}));
  save("fuzz_frame_codec", "data", encoded(wire::DataFrame{0, 0, 65536, false, kHello}));
  save("fuzz_frame_codec", "fin", encoded(wire::DataFrame{5, 3, 65536, true, {}}));
  wire::AddressesFrame addresses{7000, 2, {}};
  addresses.ips[0][15] = std::byte{1};
  addresses.ips[1][0] = std::byte{0x20};
  save("fuzz_frame_codec", "addresses", encoded(addresses));
  wire::AddressesFrame relays{0, 2, true};
  relays.ips[0][15] = std::byte{11};
  relays.ports[0] = 7800;
  relays.ips[1][15] = std::byte{12};
  relays.ports[1] = 7801;
  save("fuzz_frame_codec", "relays", encoded(relays));
  Bytes stream = encoded(wire::AckFrame{5, 70000});
  append(stream, encoded(wire::PingFrame{99}));
  append(stream, encoded(wire::PongFrame{99}));
  append(stream, encoded(wire::DataFrame{5, 0, 65536, false, kHello}));
  append(stream, encoded(wire::ResetFrame{1}));
  save("fuzz_frame_codec", "stream", stream);
}

void reconnect_seeds() {
  wire::Reconnect r;
  r.conn_id = 0x1122334455667788;
  r.counter = 3;
  r.address = sample_setup(0).control;
  r.mac.fill(std::byte{0x5a});
  const auto datagram = wire::encode(r);
  save("fuzz_reconnect", "reconnect", datagram);
  r.is_ack = true;
  r.address = {};
  const auto ack = wire::encode(r);
  save("fuzz_reconnect", "reconnect_ack", ack);
}

// The seeds' clock: fuzz_mnamed_request's server runs at this time.
constexpr std::int64_t kNow = 1'800'000'000;

names::SigningKey fixed_key() {
  names::SigningKey key;
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  seed.fill(7);
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(key.public_key.data()),
                           reinterpret_cast<unsigned char*>(key.secret_key.data()), seed.data());
  return key;
}

names::Record signed_record(std::uint64_t version, std::vector<std::string> addresses, std::string control = {}) {
  names::Record r;
  r.name = "phone.example";
  r.addresses = std::move(addresses);
  r.control = std::move(control);
  r.version = version;
  r.expires = kNow + 3600;
  names::sign(r, fixed_key());
  return r;
}

std::string record_json(const names::Record& r) { return boost::json::serialize(names::to_json(r)); }

void record_json_seeds() {
  save("fuzz_record_json", "v4", record_json(signed_record(1, {"192.0.2.1:7000"})));
  save("fuzz_record_json", "v6_control",
       record_json(signed_record(2, {"[2001:db8::1]:7000", "198.51.100.7:443"}, "192.0.2.1:7001")));
  save("fuzz_record_json", "no_addresses", record_json(signed_record(3, {})));
}

std::string http_request(const std::string& method, const std::string& target, const std::string& body = {}) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!body.empty() || method == "PUT" || method == "DELETE")
    out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

void mnamed_request_seeds() {
  const auto first = record_json(signed_record(1, {"192.0.2.1:7000"}));
  const auto second = record_json(signed_record(2, {"192.0.2.2:7000"}));
  save("fuzz_mnamed_request", "get", http_request("GET", "/v1/names/phone.example"));
  save("fuzz_mnamed_request", "put", http_request("PUT", "/v1/names/phone.example", first));
  save("fuzz_mnamed_request", "put_get_watch",
       http_request("PUT", "/v1/names/phone.example", first) + http_request("GET", "/v1/names/phone.example") +
           http_request("GET", "/v1/watch/phone.example?after=0&wait=0"));
  save("fuzz_mnamed_request", "put_delete",
       http_request("PUT", "/v1/names/phone.example", first) +
           http_request("DELETE", "/v1/names/phone.example", second));
  save("fuzz_mnamed_request", "put_list",
       http_request("PUT", "/v1/names/phone.example", first) +
           http_request("GET", "/v1/names/?prefix=phone.&limit=5") + http_request("GET", "/v1/names/?prefix=a%20&limit=0"));
  save("fuzz_mnamed_request", "bad_method", http_request("POST", "/v1/names/phone.example", "{}"));
  save("fuzz_mnamed_request", "expect_continue",
       "PUT /v1/names/phone.example HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(first.size()) + "\r\n\r\n" + first);
}

void netlink_seeds() {
  using namespace paths::netlink_messages;
  const auto v4 = ip::make_address("192.0.2.1");
  save("fuzz_netlink", "newaddr_v4",
       address_message(RTM_NEWADDR, AF_INET, 2,
                       {attribute(IFA_ADDRESS, v4), attribute(IFA_LOCAL, v4), attribute(IFA_LABEL, std::string("eth0:1"))}));
  save("fuzz_netlink", "deladdr_v6_newlink",
       concat({address_message(RTM_DELADDR, AF_INET6, 3, {attribute(IFA_ADDRESS, ip::make_address("fe80::1"))}),
               link_message(RTM_NEWLINK, 3, IFF_UP | IFF_RUNNING | IFF_LOWER_UP, "wlan0")}));
  rtmsg route{};
  route.rtm_family = AF_INET;
  route.rtm_table = RT_TABLE_MAIN;
  route.rtm_type = RTN_UNICAST;
  const std::uint32_t oif = 2;
  save("fuzz_netlink", "newroute_done",
       concat({message(RTM_NEWROUTE, route, {attribute(RTA_OIF, &oif, 4)}), message(NLMSG_DONE, std::uint32_t{0})}));
}

// A script that brings path `index` up with the peer at ack 0 and a 64 KiB window.
void path_up(fuzz::ScriptWriter& script, unsigned index) {
  script.step(SessionOp::path_up, index);
  script.number(0, 4);
  script.number(65536, 4);
  script.number(2, 1);
}

void data(fuzz::ScriptWriter& script, unsigned index, std::uint32_t offset, std::uint16_t length, bool fin,
          std::uint32_t ack) {
  script.step(SessionOp::data, index);
  script.number(offset, 4);
  script.number(length, 2);
  script.number(fin ? 1 : 0, 1);
  script.number(ack, 4);
  script.number(65536, 4);
}

// A step with one number after it.
void step(fuzz::ScriptWriter& script, SessionOp op, std::uint64_t value, std::size_t size, unsigned index = 0) {
  script.step(op, index);
  script.number(value, size);
}

void session_seeds() {
  fuzz::ScriptWriter transfer;
  transfer.number(0, 1);  // client, default scheduler
  path_up(transfer, 0);
  step(transfer, SessionOp::write, 5000, 2);
  data(transfer, 0, 0, 1000, false, 5000);
  step(transfer, SessionOp::read, 4096, 2);
  step(transfer, SessionOp::advance, 20, 2);
  transfer.step(SessionOp::timer);
  save("fuzz_session", "transfer", transfer.bytes());

  fuzz::ScriptWriter move;
  move.number(1 | 8, 1);  // server, round robin
  path_up(move, 0);
  path_up(move, 1);
  step(move, SessionOp::write, 20000, 2);
  data(move, 1, 1000, 1000, false, 4096);
  data(move, 0, 0, 1000, false, 4096);
  move.step(SessionOp::path_down, 0);
  step(move, SessionOp::delivered, 9000, 4, 1);
  step(move, SessionOp::rtt_sample, 30, 2, 1);
  step(move, SessionOp::ping, 9, 1, 1);
  move.step(SessionOp::frame, 1);
  move.raw(encoded(wire::AckFrame{20000, 90000}));
  step(move, SessionOp::read, 4096, 2);
  save("fuzz_session", "two_paths_move", move.bytes());

  fuzz::ScriptWriter close;
  close.number(2, 1);  // client, redundant
  path_up(close, 0);
  step(close, SessionOp::write, 10, 2);
  close.step(SessionOp::shutdown);
  data(close, 0, 0, 3, false, 11);
  data(close, 0, 3, 0, true, 11);
  step(close, SessionOp::read, 10, 2);
  close.step(SessionOp::path_eof);
  step(close, SessionOp::advance, 60000, 2);
  close.step(SessionOp::timer);
  save("fuzz_session", "close", close.bytes());

  fuzz::ScriptWriter linger;
  linger.number(3, 1);  // client, backup
  path_up(linger, 2);
  step(linger, SessionOp::advance, 9000, 2);
  linger.step(SessionOp::timer);
  linger.step(SessionOp::timer);
  linger.step(SessionOp::peer_closed);
  save("fuzz_session", "keepalive_timeout", linger.bytes());
}

// Each message of the relay's control protocol, as its body (the harness
// reads the length from the body's first two bytes too, to fuzz both).
void relay_control_seeds() {
  const auto key = names::generate_signing_key();
  const auto nonce = proxy::random_nonce();
  const auto body = [](const proxy::Message& m) { return proxy::encode(m).substr(proxy::kLengthSize); };
  save("fuzz_relay_control", "hello", body(proxy::Hello{}));
  save("fuzz_relay_control", "challenge", body(proxy::Challenge{nonce, 30, 1024}));
  save("fuzz_relay_control", "reserve", body(proxy::make_reserve(nonce, "phone.example", key)));
  save("fuzz_relay_control", "reserved", body(proxy::Reserved{"192.0.2.10:40001", 30}));
  save("fuzz_relay_control", "refused", body(proxy::Refused{proxy::Refusal::full, "at its maximum"}));
  save("fuzz_relay_control", "renew", body(proxy::Renew{}));
  save("fuzz_relay_control", "open", body(proxy::Open{7, proxy::random_token(), "198.51.100.4:51000"}));
  save("fuzz_relay_control", "join", body(proxy::Join{7, proxy::random_token()}));
  save("fuzz_relay_control", "drain", body(proxy::Drain{}));
  save("fuzz_relay_control", "framed_open", proxy::encode(proxy::Open{9, proxy::random_token(), "[2001:db8::4]:443"}));
}

// DNS queries as resolvers send them (built with ldns), for names.test.
Bytes dns_query(const char* name, ldns_rr_type type, std::uint16_t edns_size = 0,
                ldns_rr_class klass = LDNS_RR_CLASS_IN) {
  ldns_pkt* query = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, klass, LDNS_RD);
  ldns_pkt_set_id(query, 0x4d53);
  if (edns_size) ldns_pkt_set_edns_udp_size(query, edns_size);
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  ldns_pkt2wire(&wire, query, &size);
  Bytes bytes(reinterpret_cast<std::byte*>(wire), reinterpret_cast<std::byte*>(wire) + size);
  std::free(wire);
  ldns_pkt_free(query);
  return bytes;
}

void dns_query_seeds() {
  save("fuzz_dns_query", "a", dns_query("srv.names.test.", LDNS_RR_TYPE_A));
  save("fuzz_dns_query", "aaaa_edns", dns_query("srv.names.test.", LDNS_RR_TYPE_AAAA, 1232));
  save("fuzz_dns_query", "srv", dns_query("srv.names.test.", LDNS_RR_TYPE_SRV));
  save("fuzz_dns_query", "txt", dns_query("srv.names.test.", LDNS_RR_TYPE_TXT));
  save("fuzz_dns_query", "any", dns_query("srv.names.test.", LDNS_RR_TYPE_ANY));
  save("fuzz_dns_query", "mixed_case", dns_query("sRv.NaMeS.tEsT.", LDNS_RR_TYPE_A, 4096));
  save("fuzz_dns_query", "apex_soa", dns_query("names.test.", LDNS_RR_TYPE_SOA));
  save("fuzz_dns_query", "unknown", dns_query("nobody.names.test.", LDNS_RR_TYPE_A));
  save("fuzz_dns_query", "outside", dns_query("example.com.", LDNS_RR_TYPE_A));
  save("fuzz_dns_query", "chaos", dns_query("version.bind.", LDNS_RR_TYPE_TXT, 0, LDNS_RR_CLASS_CH));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  corpus = argv[1];
  frame_codec_seeds();
  reconnect_seeds();
  record_json_seeds();
  mnamed_request_seeds();
  netlink_seeds();
  session_seeds();
  relay_control_seeds();
  dns_query_seeds();
  return 0;
}
