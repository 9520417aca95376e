// msocket::stream without a connection (default-constructed, or moved
// from): asking for its state is safe and answers "nothing". What its
// operations do is tests/integration/api_stream_test.cpp's.
#include <catch2/catch.hpp>

#include <boost/asio/system_executor.hpp>

#include "msocket/stream.hpp"

namespace {

void check_not_open(const msocket::stream& s) {
  CHECK_FALSE(s.is_open());
  CHECK(s.id() == msocket::ConnId{});
  const auto stats = s.stats();
  CHECK(stats.bytes_sent == 0);
  CHECK(stats.bytes_received == 0);
  CHECK(stats.flowpaths_opened == 0);
  CHECK(stats.migrations.empty());
  CHECK(stats.paths.empty());
  CHECK_FALSE(s.local_endpoint().has_value());
  CHECK_FALSE(s.remote_endpoint().has_value());
  CHECK(s.get_executor() == msocket::stream::executor_type(boost::asio::system_executor()));
}

}  // namespace

TEST_CASE("a default-constructed stream answers for its state", "[api]") {
  msocket::stream s;
  check_not_open(s);
  s.shutdown_write();  // all do nothing
  s.migrate();
  s.abort();
  check_not_open(s);
}

TEST_CASE("a moved-from stream answers for its state", "[api]") {
  msocket::stream from;
  msocket::stream to(std::move(from));
  check_not_open(from);  // NOLINT(bugprone-use-after-move): the point of the test
  check_not_open(to);
}
