// Finding a peer by its name in the name service (paper §II: a connection is
// bound to names, not addresses). The transport asks it where the peer is
// when it connects and when a move fails, and it follows the name's record
// with a watch so a server's move is known as soon as it is published. The
// locators of a process share its session with the name service
// (names/shared_session.hpp): one connection for the lookups, one watch of
// every name followed.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "names/shared_session.hpp"
#include "transport/locator.hpp"

namespace msocket::api {

class NameLocator final : public transport::Locator,
                          public std::enable_shared_from_this<NameLocator> {
 public:
  // `port` overrides the records' ports; empty takes them from the record.
  // `known_names` is the file of pinned owner keys (names/known_names.hpp);
  // empty: keys are not pinned.
  NameLocator(boost::asio::any_io_executor ex, std::vector<names::ServerUrl> server, std::string name, std::string port,
              std::filesystem::path known_names = {});
  ~NameLocator() override;

  // The record's addresses. Its owner key must be the one pinned for the
  // name in `known_names`, and is pinned if none is (trust on first use); a
  // file that cannot be read or written only costs the pin (a warning). A
  // name the service does not know is tried as a DNS host name (with
  // `port`), so host names keep working with a name service configured,
  // unless a key is pinned for it: a service that withholds a pinned name
  // must not send us elsewhere. Errors: names::name_error::key_mismatch
  // (logged with both keys); the lookup's (names::name_error, network).
  boost::asio::awaitable<result<Endpoints>> resolve() override;
  // Watches the record from the newest version seen, in the process's one
  // watch of names (which watches again after the service fails or
  // restarts). A record signed by another key than owner_key() is ignored
  // (logged).
  void follow(std::function<void(const Endpoints&)> changed) override;
  void stop() override;
  void network_changed() override;
  std::string describe() const override;
  // The owner key of the record resolve() last accepted (pinned, or pinned
  // now): the key the peer must prove it holds when it is reached, by
  // signing its handshake (docs/protocol.md §4.3). nullopt before a
  // resolve() and for a peer found through DNS.
  std::optional<names::PublicKey> owner_key() const { return owner_key_; }
  std::optional<std::array<std::byte, 32>> identity() const override { return owner_key_; }
  bool definitive(const boost::system::error_code& ec) const override { return ec == names::name_error::key_mismatch; }

 private:
  boost::system::error_code check_owner(const names::Record& record);
  void on_watch_event(const names::WatchEvent& event);
  Endpoints endpoints_of(const names::Record& record) const;
  void unsubscribe();

  boost::asio::any_io_executor ex_;
  std::string name_;
  std::string port_;
  std::shared_ptr<names::SharedSession> session_;  // the process's, for these front ends
  std::optional<names::WatchId> subscription_;     // in session_->watcher, while following
  std::function<void(const Endpoints&)> changed_;
  std::filesystem::path known_names_;
  std::optional<names::PublicKey> owner_key_;
  std::uint64_t version_ = 0;  // newest record version seen
  Endpoints known_;            // the addresses last looked up or notified
};

// "IP:PORT" or "[IPv6]:PORT" as in name records; nullopt if malformed.
std::optional<boost::asio::ip::tcp::endpoint> parse_endpoint(std::string_view text);

}  // namespace msocket::api
