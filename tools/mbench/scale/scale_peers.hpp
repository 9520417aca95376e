// What `mbench scale` and its two ends (the hidden subcommands scale-listen
// and scale-connect, each a process of its own) agree on.
#pragma once

#include <cstddef>

namespace msocket::mbench {

// Descriptors an msocket client connection holds in its process: its TCP
// socket; the rtnetlink socket that follows the local addresses
// (paths/shared_address_watcher.hpp) and the UDP control socket
// (docs/protocol.md §2.7) are the process's, shared.
inline constexpr std::size_t kClientDescriptorsPerConnection = 1;
// A listener's connection: its TCP socket.
inline constexpr std::size_t kListenerDescriptorsPerConnection = 1;

}  // namespace msocket::mbench
