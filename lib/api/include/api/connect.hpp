// Connecting by name or address: what msocket::async_connect runs.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "transport/connection.hpp"

namespace msocket::api {

// With options.name_service set and `host` not an address literal, `host` is
// a name: looked up there (then DNS), retried until options.connect_deadline,
// and followed after the connection is up (transport::connect with a
// NameLocator). Otherwise as transport::connect(host, port). An empty `port`
// takes the port from the name's record. The record's owner key is pinned
// on first use in names::default_known_names_path(), and a record signed by
// another key than the pinned one is refused.
// Errors: those of transport::connect, names::name_error::bad_url,
// names::name_error::key_mismatch.
boost::asio::awaitable<result<std::shared_ptr<transport::Connection>>> connect(std::string host, std::string port,
                                                                             transport::Options options);

}  // namespace msocket::api
