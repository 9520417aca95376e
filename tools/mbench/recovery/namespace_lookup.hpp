// The name query time q of the paper's bound (rho + q + w + 2 RTT), measured
// where the client is: lookups of a name made from inside a network
// namespace (a thread of mbench enters it with setns(2)), each with a new
// lib/names Client, so each pays a TCP handshake as a client that has just
// moved does (its connections to the name service went with its address).
#pragma once

#include <string>
#include <vector>

#include "names/client.hpp"

namespace msocket::mbench {

// Milliseconds of each of `count` lookups of `name`, one after another.
// Throws std::runtime_error when the namespace cannot be entered or a lookup
// fails.
std::vector<double> time_lookups_in_namespace(const std::string& netns, const names::ServerUrl& server,
                                              const std::string& name, unsigned count);

}  // namespace msocket::mbench
