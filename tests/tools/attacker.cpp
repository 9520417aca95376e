// attacker: the attacks of docs/protocol.md §4.4, played against a real
// listener by the netns:attack_* tests. Each subcommand prints what it did
// and what the server answered; none of them should do any harm.
//
//   attacker new-flood HOST PORT COUNT
//   attacker new-unconfirmed HOST PORT SECONDS
//   attacker hold-handshakes HOST PORT COUNT SECONDS [--source ADDR]
//   attacker fragment-flood HOST PORT SECONDS
//   attacker steal-proxy LISTEN_ADDR:PORT SERVER_ADDR:PORT CAPTURE_FILE --replay-from ADDR
//   attacker mitm LISTEN_ADDR:PORT SERVER_ADDR:PORT
//
// Exit: 0 done, 1 the attack could not be made, 2 usage.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "attacker_commands.hpp"

namespace {

constexpr const char* kUsage =
    "usage: attacker new-flood HOST PORT COUNT\n"
    "       attacker new-unconfirmed HOST PORT SECONDS\n"
    "       attacker hold-handshakes HOST PORT COUNT SECONDS [--source ADDR]\n"
    "       attacker fragment-flood HOST PORT SECONDS\n"
    "       attacker steal-proxy LISTEN_ADDR:PORT SERVER_ADDR:PORT CAPTURE_FILE --replay-from ADDR\n"
    "       attacker mitm LISTEN_ADDR:PORT SERVER_ADDR:PORT\n";

// The value after `option` in `args` (which loses both), if there.
std::optional<std::string> take_option(std::vector<std::string>& args, const std::string& option) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] != option) continue;
    auto value = args[i + 1];
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    return value;
  }
  return std::nullopt;
}

int run(const std::string& command, std::vector<std::string> args) {
  using namespace attacker;
  const auto source = take_option(args, "--source");
  const auto replay_from = take_option(args, "--replay-from");
  if (command == "new-flood" && args.size() == 3) return new_flood(make_endpoint(args[0], args[1]), std::stoi(args[2]));
  if (command == "new-unconfirmed" && args.size() == 3)
    return new_unconfirmed(make_endpoint(args[0], args[1]), std::stoi(args[2]));
  if (command == "hold-handshakes" && args.size() == 4)
    return hold_handshakes(make_endpoint(args[0], args[1]), std::stoi(args[2]), std::stoi(args[3]),
                           source ? std::optional(asio::ip::make_address(*source)) : std::nullopt);
  if (command == "fragment-flood" && args.size() == 3)
    return fragment_flood(make_endpoint(args[0], args[1]), std::stoi(args[2]));
  if (command == "steal-proxy" && args.size() == 3 && replay_from)
    return steal_proxy(parse_endpoint(args[0]), parse_endpoint(args[1]), args[2], asio::ip::make_address(*replay_from));
  if (command == "mitm" && args.size() == 2) return mitm(parse_endpoint(args[0]), parse_endpoint(args[1]));
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    return run(argv[1], std::vector<std::string>(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attacker: %s\n", e.what());
    return 1;
  }
}
