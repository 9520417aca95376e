// What the etcd store and its watch coroutine share (etcd_store.cpp,
// etcd_watch.cpp). Private to lib/names.
#pragma once

#include <functional>
#include <map>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "names/etcd_gateway.hpp"

namespace msocket::names {

struct EtcdShared {
  EtcdShared(boost::asio::any_io_executor executor, std::vector<ServerUrl> endpoints, EtcdOptions options)
      : gateway(std::move(executor), std::move(endpoints), std::move(options)) {}

  std::string claim_key(const std::string& name) const { return gateway.options().prefix + "claim/" + name; }
  std::string record_key(const std::string& name) const { return gateway.options().prefix + "record/" + name; }
  // The name a key of the store is about; empty for any other key.
  std::string name_of(std::string_view key) const;

  EtcdGateway gateway;
  std::function<void(const std::string&)> changed;
  bool stopped = false;
  boost::beast::tcp_stream* watch_stream = nullptr;  // to close it at stop
  std::int64_t next_revision = 0;                   // where the watch resumes
  std::map<std::int64_t, std::int64_t> leases;      // by the second they end at: the lease id
  std::uint64_t events = 0;
  std::uint64_t leases_granted = 0;
};

// Watches the store's prefix from shared->next_revision on, calling
// shared->changed for each event, until shared->stopped; a failed endpoint
// is left for the next one and the watch resumed where it stopped.
boost::asio::awaitable<void> follow_etcd_changes(std::shared_ptr<EtcdShared> shared);

}  // namespace msocket::names
