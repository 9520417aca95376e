#include "names/shared_session.hpp"

#include <map>
#include <string>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

namespace msocket::names {

namespace asio = boost::asio;

namespace {

// The sessions of one io_context, by their servers' list: an Asio service
// of the context, so that each io_context has its own and they go with it.
class Sessions : public asio::execution_context::service {
 public:
  using key_type = Sessions;
  static inline asio::execution_context::id id;
  explicit Sessions(asio::execution_context& context) : service(context) {}
  std::map<std::string, std::weak_ptr<SharedSession>> by_servers;

 private:
  void shutdown() override { by_servers.clear(); }
};

std::string key_of(const std::vector<ServerUrl>& servers) {
  std::string key;
  for (const auto& server : servers) key += "[" + server.host + "]:" + server.port + ",";
  return key;
}

}  // namespace

SharedSession::SharedSession(asio::any_io_executor executor, std::vector<ServerUrl> servers, ClientOptions options)
    : client(executor, servers, options), watcher(std::make_shared<Watcher>(executor, std::move(servers), options)) {}

std::shared_ptr<SharedSession> shared_session(const asio::any_io_executor& executor,
                                              const std::vector<ServerUrl>& servers) {
  auto& context = asio::query(executor, asio::execution::context);
  auto& sessions = asio::use_service<Sessions>(context).by_servers;
  auto& entry = sessions[key_of(servers)];
  if (auto alive = entry.lock()) return alive;
  auto made = std::make_shared<SharedSession>(executor, servers);
  entry = made;
  return made;
}

}  // namespace msocket::names
