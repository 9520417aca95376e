// The transport writes these texts in its logs; the public names are the
// same functions, so a log line and a --stats file always agree (the text of
// a MigrationCause is core's, lib/core/stats.cpp).
#include "msocket/text.hpp"

#include "transport/handshake.hpp"

namespace msocket {

std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint) { return transport::to_string(endpoint); }

}  // namespace msocket
