// The transport writes these texts in its logs; the public names are the
// same functions, so a log line and a --stats file always agree.
#include "msocket/text.hpp"

#include "transport/handshake.hpp"
#include "transport/options.hpp"

namespace msocket {

std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint) { return transport::to_string(endpoint); }

const char* to_string(MigrationCause cause) { return transport::to_string(cause); }

}  // namespace msocket
