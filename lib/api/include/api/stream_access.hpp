// Between the public msocket::stream and the transport connection behind it:
// how the library makes a stream of a connection, and how white-box tests
// reach the connection (its secret, its peer's control address). Not part of
// the public API.
#pragma once

#include <memory>

#include "msocket/stream.hpp"
#include "transport/connection.hpp"

namespace msocket::api {

struct StreamAccess {
  static msocket::stream make(std::shared_ptr<transport::Connection> connection) {
    return msocket::stream(std::move(connection));
  }
  // Null for a stream that is not open.
  static transport::Connection* connection(const msocket::stream& s) { return s.connection_.get(); }
};

}  // namespace msocket::api
