// What the recovery measurements share: the name service in the router, a
// key for the server's name, mcat's --stats file, and waiting for a program
// to exit.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "recovery/paced_feed.hpp"
#include "recovery/recovery_scenarios.hpp"
#include "testbed/child_process.hpp"

namespace msocket::mbench {

// mnamed in the router namespace, on MovingAddressTestbed::kRouterAddress and a
// port of its choice, with a fresh data directory and a key for the name
// "srv". Stopped by the destructor.
class RouterNameService {
 public:
  // Throws std::runtime_error if keygen fails or the server does not start.
  RouterNameService(const testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs);
  const std::string& url() const { return url_; }  // http://10.212.0.1:PORT
  const std::filesystem::path& key_file() const { return key_file_; }
  const std::filesystem::path& log() const { return log_; }

 private:
  std::filesystem::path key_file_, log_;
  std::string url_;
  std::unique_ptr<testbed::ChildProcess> process_;
};

// mproxy in the router namespace, on MovingAddressTestbed::kRouterAddress and
// a port of its choice, checking owners with `names`: on the path of every
// relayed case, one emulated link from the client and none from the server.
// Stopped by the destructor.
class RouterRelay {
 public:
  // Throws std::runtime_error if the relay does not start.
  RouterRelay(const testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs,
              const RouterNameService& names);
  const std::string& address() const { return address_; }  // 10.212.0.1:PORT

 private:
  std::string address_;
  std::unique_ptr<testbed::ChildProcess> process_;
};

// The server of a case: `mcat -l -v -p 7000 -c cat` with `extra` options,
// registered as "srv" (`names`), and reserved on `relay` when given. Waits
// for it to be reachable: registered, or reached through the relay.
std::unique_ptr<testbed::ChildProcess> start_echo_server(const testbed::MovingAddressTestbed& testbed,
                                                         const RecoveryPrograms& programs,
                                                         const RouterNameService* names, const RouterRelay* relay,
                                                         std::vector<std::string> extra,
                                                         const std::filesystem::path& log);

// mcat's --stats file (man/mcat.1, STATISTICS).
struct McatStats {
  double bytes_sent = 0, bytes_received = 0;
  std::vector<std::string> causes;  // of each migration, in order
  std::vector<double> recovery_ms;  // of each migration, in order
};
// Throws std::runtime_error naming the file if it is missing or malformed.
McatStats read_mcat_stats(const std::filesystem::path& file);

// Waits up to `timeout` for `child` to exit and throws, with its log's tail,
// unless it exited with status 0.
void expect_clean_exit(testbed::ChildProcess& child, const std::string& role, const std::filesystem::path& log,
                       std::chrono::milliseconds timeout);

// The two ends of an echo through mcat (the server runs `-c cat`).
struct EchoEnds {
  testbed::ChildProcess& server;
  std::filesystem::path server_log;
  testbed::ChildProcess& client;
  std::filesystem::path client_log, client_stats;  // --stats
};
// Ends an echo fed by `feed` that lived through `moves` (described as
// `moves_text`, "moves of both ends"): the feed is finished, both ends must
// exit cleanly, and the client's --stats must report one migration per move
// and every byte echoed back. Returns those stats; throws
// std::runtime_error otherwise.
McatStats finish_echo(PacedFeed& feed, const EchoEnds& ends, const RecoveryCase& c, const std::string& moves_text);

// `text` as "12.3".
std::string milliseconds_text(double milliseconds);

}  // namespace msocket::mbench
