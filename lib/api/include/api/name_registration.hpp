// Keeps a listener's name pointing at it (paper §III-B3, server mobility):
// publishes the addresses it listens on under its name, signed with the
// name's key, and publishes again whenever this host's addresses change, and
// before the record expires.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "names/client.hpp"
#include "paths/shared_address_watcher.hpp"

namespace msocket::api {

class NameRegistration : public std::enable_shared_from_this<NameRegistration> {
 public:
  NameRegistration(boost::asio::any_io_executor ex, std::vector<names::ServerUrl> server, names::SigningKey key,
                   std::string name, boost::asio::ip::tcp::endpoint listening,
                   std::chrono::seconds ttl = std::chrono::seconds{3600});
  ~NameRegistration();

  // Publishes once and then keeps the record current in the background.
  // Errors: only what retrying cannot mend (the name belongs to another key,
  // an invalid name); an unreachable service is retried in the background.
  boost::asio::awaitable<boost::system::error_code> start();
  // Publishes what `addresses` gives instead of the listener's own
  // addresses (a listener reached through relays), and again after each
  // addresses_changed(). Call before start().
  void publish_instead(std::function<std::vector<std::string>()> addresses) { supplier_ = std::move(addresses); }
  void addresses_changed();
  void stop();
  // The addresses published last (for logs and tests).
  const std::vector<std::string>& published() const { return published_; }

 private:
  std::vector<std::string> current_addresses() const;
  boost::asio::awaitable<boost::system::error_code> publish_now();
  boost::asio::awaitable<void> run();

  boost::asio::any_io_executor ex_;
  names::Client client_;
  names::SigningKey key_;
  std::string name_;
  boost::asio::ip::tcp::endpoint listening_;
  std::chrono::seconds ttl_;
  std::unique_ptr<paths::SharedAddressWatcher::Subscription> watch_;
  boost::asio::steady_timer wake_;  // an address change, a refresh or a retry is due
  bool dirty_ = false;              // addresses changed since the last publish
  bool stopped_ = false;
  std::vector<std::string> published_;
  std::function<std::vector<std::string>()> supplier_;
};

}  // namespace msocket::api
