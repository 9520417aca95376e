#include "recovery/recovery_processes.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/json/parse.hpp>

#include "core/log.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"
#include "testbed/namespaces.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::mbench {

RouterNameService::RouterNameService(const testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs)
    : key_file_(programs.log_dir / "srv.key"), log_(programs.log_dir / "mnamed.log") {
  testbed::run_command({programs.mnamed.string(), "keygen", "--out", key_file_.string()});
  // Each case makes a new key for "srv": the owner keys its clients pin
  // (names/known_names.hpp) are this case's, not the user's.
  ::setenv("XDG_CONFIG_HOME", (programs.log_dir / "config").c_str(), 1);
  const auto data = programs.log_dir / "names";
  fs::create_directories(data);
  // Every client comes from one address, with a lookup and a watch each:
  // no per-address limits, and room for --connections 1000.
  process_ = std::make_unique<testbed::ChildProcess>(
      testbed::in_namespace(testbed.router_namespace(),
                                    {programs.mnamed.string(), "serve", "-v", "--listen",
                                     std::string(testbed::MovingAddressTestbed::kRouterAddress) + ":0", "--data-dir", data.string(),
                                     "--max-connections", "4096", "--max-connections-per-address", "0",
                                     "--max-watches", "0", "--max-watches-per-address", "0"}),
      testbed::ChildStreams{-1, -1, log_});
  const auto port = testbed::wait_for_listening_port(log_, *process_, 10s);
  url_ = "http://" + std::string(testbed::MovingAddressTestbed::kRouterAddress) + ":" + std::to_string(port);
  log::tool()->info("mnamed in {} at {}", testbed.router_namespace(), url_);
}

RouterRelay::RouterRelay(const testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs,
                         const RouterNameService& names) {
  const auto log = programs.log_dir / "mproxy.log";
  // The server's halves come from one address, all at once after a move:
  // no limit on handshakes from one source to slow them.
  process_ = std::make_unique<testbed::ChildProcess>(
      testbed::in_namespace(testbed.router_namespace(),
                            {programs.mproxy.string(), "-v", "--listen",
                             std::string(testbed::MovingAddressTestbed::kRouterAddress) + ":0", "--names", names.url(),
                             "--max-per-source", "1024"}),
      testbed::ChildStreams{-1, -1, log});
  const auto port = testbed::wait_for_listening_port(log, *process_, 10s);
  address_ = std::string(testbed::MovingAddressTestbed::kRouterAddress) + ":" + std::to_string(port);
  log::tool()->info("mproxy in {} at {}", testbed.router_namespace(), address_);
}

std::unique_ptr<testbed::ChildProcess> start_echo_server(const testbed::MovingAddressTestbed& testbed,
                                                         const RecoveryPrograms& programs,
                                                         const RouterNameService* names, const RouterRelay* relay,
                                                         std::vector<std::string> extra, const fs::path& log) {
  std::vector<std::string> command{programs.mcat.string(), "-l", programs.mcat_verbosity, "-p", "7000", "-c", "cat"};
  if (names)
    command.insert(command.end(), {"--names", names->url(), "--name", "srv", "--key", names->key_file().string()});
  if (relay) command.insert(command.end(), {"--proxy", relay->address()});
  command.insert(command.end(), extra.begin(), extra.end());
  auto server = std::make_unique<testbed::ChildProcess>(testbed::in_namespace(testbed.server_namespace(), command),
                                                        testbed::ChildStreams{-1, -1, log});
  // A reservation's port is the relay's to choose: its address is the relay's.
  const auto ready = relay ? "reached through relays at " + std::string(testbed::MovingAddressTestbed::kRouterAddress) + ":"
                     : names ? "registered srv at " + testbed.server_address() + ":"
                             : std::string("listening on ");
  testbed::wait_for_lines(log, ready, 1, *server, 10s);
  return server;
}

McatStats read_mcat_stats(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("mcat wrote no statistics to " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto stats = boost::json::parse(text.str()).as_object();
    McatStats s;
    s.bytes_sent = stats.at("bytes_sent").to_number<double>();
    s.bytes_received = stats.at("bytes_received").to_number<double>();
    for (const auto& m : stats.at("migrations").as_array()) {
      s.causes.emplace_back(m.at("cause").as_string());
      s.recovery_ms.push_back(m.at("recovery_ms").to_number<double>());
    }
    return s;
  } catch (const std::exception& e) {
    throw std::runtime_error("malformed statistics in " + file.string() + " (" + e.what() + "): " + text.str());
  }
}

void expect_clean_exit(testbed::ChildProcess& child, const std::string& role, const fs::path& log,
                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<testbed::ChildExit> done;
  while (!(done = child.wait_for(50ms))) {
    testbed::throw_if_interrupted();
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("the " + role + " did not exit within " + std::to_string(timeout.count()) +
                               " ms of the end of its input: " + testbed::file_tail(log));
  }
  if (!done->success()) throw std::runtime_error("the " + role + " " + done->describe() + ": " + testbed::file_tail(log));
}

std::string milliseconds_text(double milliseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", milliseconds);
  return text;
}

McatStats finish_echo(PacedFeed& feed, const EchoEnds& ends, const RecoveryCase& c, const std::string& moves_text) {
  feed.finish();
  expect_clean_exit(ends.client, "client", ends.client_log, 10s + 10 * c.rtt);
  expect_clean_exit(ends.server, "server", ends.server_log, 10s + 10 * c.rtt);
  auto stats = read_mcat_stats(ends.client_stats);
  if (stats.recovery_ms.size() != c.moves)
    throw std::runtime_error("the client reports " + std::to_string(stats.recovery_ms.size()) + " migrations for " +
                             std::to_string(c.moves) + " " + moves_text + ": " + testbed::file_tail(ends.client_log));
  if (stats.bytes_sent != static_cast<double>(feed.written(0)) || stats.bytes_received != stats.bytes_sent)
    throw std::runtime_error("the echo lost bytes across the " + moves_text + ": fed " + std::to_string(feed.written(0)) +
                             ", client sent " + std::to_string(stats.bytes_sent) + ", received " +
                             std::to_string(stats.bytes_received));
  return stats;
}

}  // namespace msocket::mbench
