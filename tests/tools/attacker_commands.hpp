// The subcommands of tests/tools/attacker (usage in attacker.cpp).
#pragma once

#include "attacker_common.hpp"

namespace attacker {

int new_flood(const tcp::endpoint& server, int count);
// One NEW, never confirmed: counts the bytes that come within `seconds`.
int new_unconfirmed(const tcp::endpoint& server, int seconds);
int hold_handshakes(const tcp::endpoint& server, int count, int seconds, const std::optional<asio::ip::address>& source);
int fragment_flood(const tcp::endpoint& server, int seconds);
int steal_proxy(const tcp::endpoint& listen, const tcp::endpoint& server, const std::string& capture_file,
                const asio::ip::address& replay_from);
int mitm(const tcp::endpoint& listen, const tcp::endpoint& server);

}  // namespace attacker
