// mbench mptcp-serve and mbench mptcp-fetch (not in the main usage): the
// rival of `mbench multipath` and `mbench handover`, a download over the
// kernel's MPTCP (IPPROTO_MPTCP), or over plain TCP with --tcp, in the shape
// of mcat: the server sends its stdin to one client, the client writes what
// arrives to its stdout. Subflows are the kernel path manager's business
// (`ip mptcp endpoint`); the client reports on stderr how many it saw.
#include <arpa/inet.h>
#include <linux/mptcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/command_line.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

namespace {

constexpr int kMptcpProtocol = 262;  // IPPROTO_MPTCP, missing from older libc headers
constexpr int kSolMptcp = 284;       // SOL_MPTCP
constexpr std::size_t kChunk = 128 * 1024;  // mcat's chunk (lib/relay/splice.cpp)

std::runtime_error system_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

sockaddr_in ipv4(const std::string& address, unsigned short port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1) throw UsageError("not an IPv4 address: '" + address + "'");
  return a;
}

int open_socket(bool mptcp) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, mptcp ? kMptcpProtocol : 0);
  if (fd < 0 && mptcp) throw system_error("MPTCP is not available here (socket with IPPROTO_MPTCP)");
  if (fd < 0) throw system_error("socket");
  return fd;
}

void write_all(int fd, const char* data, std::size_t length) {
  while (length > 0) {
    const auto n = ::write(fd, data, length);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw system_error("write");
    data += n;
    length -= static_cast<std::size_t>(n);
  }
}

// Copies `from` to `to` in chunks until `from` ends, calling `after_chunk`
// after each; returns the bytes copied. `what` names the read in an error.
std::uint64_t copy_to_end(int from, int to, const std::string& what, const std::function<void()>& after_chunk = {}) {
  std::vector<char> buffer(kChunk);
  std::uint64_t copied = 0;
  for (;;) {
    const auto n = ::read(from, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw system_error(what);
    if (n == 0) return copied;
    write_all(to, buffer.data(), static_cast<std::size_t>(n));
    copied += static_cast<std::uint64_t>(n);
    if (after_chunk) after_chunk();
  }
}

// Subflows of an MPTCP socket now (the first included); 0 if not MPTCP or fallen back to TCP.
unsigned subflows_of(int fd) {
  mptcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd, kSolMptcp, MPTCP_INFO, &info, &length) != 0) return 0;
  if (info.mptcpi_flags & MPTCP_INFO_FLAG_FALLBACK) return 0;
  return info.mptcpi_subflows + 1u;  // the count leaves out the initial subflow
}

struct EndOptions {
  bool mptcp = true;
  std::vector<std::string> positional;
  std::optional<std::string> bind;
};

std::optional<EndOptions> parse_end(const std::vector<std::string>& args, const char* synopsis, const char* title,
                                    bool client) {
  po::options_description visible(title);
  visible.add_options()("help,h", "show this help and exit")("tcp", "plain TCP instead of MPTCP");
  if (client) visible.add_options()("bind", po::value<std::string>(), "connect from this local address");
  po::options_description all;
  all.add(visible).add_options()("positional", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("positional", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::printf("%s\n", synopsis);
    std::cout << visible << "\nExit status: 0 success, 1 runtime error, 2 usage error.\n";
    return std::nullopt;
  }
  EndOptions o;
  o.mptcp = vm.count("tcp") == 0;
  if (vm.count("positional")) o.positional = vm["positional"].as<std::vector<std::string>>();
  if (client && vm.count("bind")) o.bind = vm["bind"].as<std::string>();
  if (o.positional.size() != (client ? 2u : 1u)) throw UsageError(std::string("wrong arguments; ") + synopsis);
  return o;
}

}  // namespace

int run_mptcp_serve_command(const std::vector<std::string>& args, int) {
  const auto o = parse_end(args, "usage: mbench mptcp-serve [--tcp] ADDRESS",
                           "mbench mptcp-serve: send stdin to one client over MPTCP", false);
  if (!o) return kExitOk;
  auto address = ipv4(o->positional[0], 0);
  const int listener = open_socket(o->mptcp);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw system_error("bind");
  if (::listen(listener, 1) != 0) throw system_error("listen");
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::fprintf(stderr, "mbench mptcp-serve: listening on %s:%u\n", o->positional[0].c_str(), ntohs(address.sin_port));
  const int connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (connection < 0) throw system_error("accept");
  const auto sent = copy_to_end(STDIN_FILENO, connection, "read stdin");
  ::shutdown(connection, SHUT_WR);
  std::vector<char> buffer(kChunk);
  while (::read(connection, buffer.data(), buffer.size()) > 0) {  // until the client closes: all is delivered
  }
  std::fprintf(stderr, "mbench mptcp-serve: sent %llu bytes\n", static_cast<unsigned long long>(sent));
  return kExitOk;
}

int run_mptcp_fetch_command(const std::vector<std::string>& args, int) {
  const auto o = parse_end(args, "usage: mbench mptcp-fetch [--tcp] [--bind ADDRESS] HOST PORT",
                           "mbench mptcp-fetch: write what one MPTCP connection brings to stdout", true);
  if (!o) return kExitOk;
  const auto port = parse_count_option("port", o->positional[1], 65535);
  auto server = ipv4(o->positional[0], static_cast<unsigned short>(port));
  const int fd = open_socket(o->mptcp);
  if (o->bind) {
    auto local = ipv4(*o->bind, 0);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) throw system_error("bind " + *o->bind);
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) throw system_error("connect");
  unsigned most_subflows = subflows_of(fd), reads = 0;
  const auto received = copy_to_end(fd, STDOUT_FILENO, "read", [&] {
    if (o->mptcp && ++reads % 16 == 0) most_subflows = std::max(most_subflows, subflows_of(fd));
  });
  ::close(fd);
  std::fprintf(stderr, "mbench mptcp-fetch: received %llu bytes; subflows at most %u\n",
               static_cast<unsigned long long>(received), most_subflows);
  return kExitOk;
}

}  // namespace msocket::mbench
