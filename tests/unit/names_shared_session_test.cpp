// names::shared_session: one session per io_context and list of front ends,
// living as long as someone holds it.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "names/shared_session.hpp"

using namespace msocket::names;

TEST_CASE("shared_session: one per io_context and list of servers, while held", "[names]") {
  boost::asio::io_context one, other;
  const std::vector<ServerUrl> servers{{"127.0.0.1", "7353"}, {"127.0.0.2", "7353"}};
  const std::vector<ServerUrl> reversed{servers[1], servers[0]};
  auto first = shared_session(one.get_executor(), servers);
  CHECK(shared_session(one.get_executor(), servers) == first);
  CHECK(shared_session(one.get_executor(), reversed) != first);
  CHECK(shared_session(other.get_executor(), servers) != first);
  CHECK(first->client.servers().size() == 2);
  CHECK(first->watcher->subscriptions() == 0);
  const std::weak_ptr<SharedSession> released = first;
  first.reset();
  CHECK(released.expired());
  CHECK(shared_session(one.get_executor(), servers) != nullptr);
}
