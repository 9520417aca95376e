// etcd v3's HTTP/JSON gateway (etcd 3.4: POST /v3/kv/range, /v3/kv/txn,
// /v3/lease/grant, /v3/watch; keys and values base64 in JSON, 64-bit
// numbers as strings), over Boost.Beast: no gRPC. Several endpoints of one
// cluster: a call goes to the current one, and moves on to the next when it
// does not answer or answers that it cannot serve (5xx: no leader, a
// request timed out there), so a cluster that keeps a quorum keeps
// answering. Every call must come from the executor's thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/value.hpp>

#include "msocket/error.hpp"
#include "names/client.hpp"

namespace msocket::names {

struct EtcdOptions {
  std::chrono::milliseconds connect_timeout{1'000};
  std::chrono::milliseconds attempt_timeout{3'000};  // one request on one endpoint
  std::chrono::milliseconds call_timeout{10'000};    // one call, over every endpoint tried
  std::string prefix = "msocket/names/";             // the store's keys all begin with it
};

// What etcd answered a call: its HTTP status and JSON body (an error has
// {"error", "code", "message"}; code 5 is gRPC's NOT_FOUND, e.g. an unknown
// lease).
struct EtcdAnswer {
  unsigned status = 0;
  boost::json::value body;
  int error_code() const;  // the gRPC code of an error answer; 0 if none
};

class EtcdGateway {
 public:
  EtcdGateway(boost::asio::any_io_executor executor, std::vector<ServerUrl> endpoints, EtcdOptions options);
  ~EtcdGateway();
  EtcdGateway(const EtcdGateway&) = delete;
  EtcdGateway& operator=(const EtcdGateway&) = delete;

  // POSTs `body` to `path` and returns the answer, from the first endpoint
  // that gives one below 500. Errors: name_error::store_unavailable once
  // options.call_timeout has passed without one.
  boost::asio::awaitable<result<EtcdAnswer>> call(std::string path, boost::json::value body);

  // A new connection to the current endpoint (for a stream such as a watch)
  // and that endpoint's index. Errors: the network's.
  struct Connected {
    std::size_t endpoint = 0;
    std::unique_ptr<boost::beast::tcp_stream> stream;
  };
  boost::asio::awaitable<result<Connected>> connect_current();
  std::size_t current() const { return current_; }
  // The endpoint failed: later calls go to the next one (unless another
  // caller has moved on already).
  void failed(std::size_t endpoint);
  // "host:port" of an endpoint, for the Host header and logs.
  std::string authority(std::size_t endpoint) const;

  const EtcdOptions& options() const { return options_; }
  boost::asio::any_io_executor executor() const { return executor_; }

 private:
  struct Idle {
    std::size_t endpoint;
    std::unique_ptr<boost::beast::tcp_stream> stream;
  };
  // One request on one endpoint: nullopt if that endpoint failed it.
  boost::asio::awaitable<std::optional<EtcdAnswer>> attempt(std::size_t endpoint, const std::string& path,
                                                            const std::string& body);

  boost::asio::any_io_executor executor_;
  std::vector<ServerUrl> endpoints_;
  EtcdOptions options_;
  std::size_t current_ = 0;
  std::vector<Idle> idle_;  // kept-alive connections, newest last
};

// etcd's keys and values are bytes, base64 in JSON.
std::string etcd_base64(std::string_view bytes);
std::optional<std::string> etcd_unbase64(std::string_view text);
// The end of the key range of every key that begins with `prefix`.
std::string etcd_prefix_end(std::string prefix);
// A 64-bit number as the gateway gives it: a string of digits (or a number).
std::int64_t etcd_number(const boost::json::value* value);

}  // namespace msocket::names
