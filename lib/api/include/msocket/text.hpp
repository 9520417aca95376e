// Text forms of the public vocabulary, as msocket's logs, name records and
// mcat's --stats write them.
#pragma once

#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "msocket/stats.hpp"

namespace msocket {

// "10.0.0.1:7000" / "[::1]:7000".
std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint);

// The text of a MigrationCause is declared with it, in msocket/stats.hpp.

}  // namespace msocket
