// What the path manager's tests share: a fake host (its addresses), a
// flowpath as the transport reports it, and readers of the decisions.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "paths/path_manager.hpp"

namespace msocket::paths::testing {

using namespace std::chrono_literals;
using boost::asio::ip::make_address;
using boost::asio::ip::tcp;

inline const TimePoint t0{std::chrono::seconds(1000)};

inline LocalAddress local(const std::string& address, unsigned ifindex, const std::string& ifname,
                          unsigned prefix = 24) {
  LocalAddress a;
  a.address = make_address(address);
  a.ifindex = ifindex;
  a.ifname = ifname;
  a.prefix_len = prefix;
  return a;
}

inline tcp::endpoint endpoint(const std::string& address, unsigned short port) {
  return tcp::endpoint(make_address(address), port);
}

inline FlowpathInfo flowpath(std::uint32_t id, const std::string& from, const std::string& to, TimePoint opened = t0) {
  return FlowpathInfo{PathId{id}, endpoint(from, 40000 + static_cast<unsigned short>(id)), endpoint(to, 7000), opened};
}

inline AddressEvent address_event(AddressEventKind kind, const std::string& address = "", unsigned ifindex = 0,
                                  const std::string& ifname = "") {
  AddressEvent e{kind, {}, ifindex, ifname};
  if (!address.empty()) e.address = make_address(address);
  return e;
}

// The decisions of type T, in order.
template <class T>
std::vector<T> all_of_type(const Decisions& decisions) {
  std::vector<T> found;
  for (const auto& d : decisions)
    if (const auto* t = std::get_if<T>(&d)) found.push_back(*t);
  return found;
}

// The one decision of type T (fails the test if there is not exactly one).
template <class T>
T only(const Decisions& decisions) {
  const auto found = all_of_type<T>(decisions);
  REQUIRE(found.size() == 1);
  return found.front();
}

inline PathManagerConfig client_config() {
  PathManagerConfig config;
  config.role = Role::client;
  config.timing = {25ms, 2s, 10s};
  return config;
}

}  // namespace msocket::paths::testing
