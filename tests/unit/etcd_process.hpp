// A one-member etcd cluster on 127.0.0.x with a fresh data directory, for
// the store tests: started on first use, stopped (SIGTERM, by pid) at the
// end of the test program. The address is drawn at random in 127.0.0.0/8,
// so that test programs run at once by several people do not collide.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

extern char** environ;

class EtcdProcess {
 public:
  // The cluster of this test program, started at the first call; nullptr
  // if there is no etcd binary and nothing requires it (a warning says so).
  // With CI or MSOCKET_REQUIRE_NETNS=1 set, a missing etcd fails the test.
  static EtcdProcess* shared() {
    static EtcdProcess* process = start();
    return process;
  }

  std::string url() const { return "http://" + address_ + ":" + std::to_string(client_port_); }

  ~EtcdProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }

 private:
  static bool required() {
    const char* ci = std::getenv("CI");
    const char* netns = std::getenv("MSOCKET_REQUIRE_NETNS");
    return (ci && *ci && std::string(ci) != "false") || (netns && std::string(netns) == "1");
  }

  static bool have_etcd() { return std::system("command -v etcd >/dev/null 2>&1") == 0; }

  static EtcdProcess* start() {
    if (!have_etcd()) {
      if (required()) FAIL("the etcd binary is missing (scripts/install-deps.sh installs etcd-server)");
      WARN("skipping the etcd half of the store tests: no etcd binary (apt-get install etcd-server)");
      return nullptr;
    }
    static EtcdProcess process;
    return &process;
  }

  EtcdProcess() : dir_("etcd") {
    std::random_device random;
    address_ = "127.0." + std::to_string(random() % 200 + 20) + "." + std::to_string(random() % 250 + 2);
    client_port_ = 20000 + random() % 20000;
    const auto peer = "http://" + address_ + ":" + std::to_string(client_port_ + 1);
    const auto log = (dir_.path / "etcd.log").string();
    const std::string command = "exec etcd --name store-test --data-dir '" + (dir_.path / "data").string() +
                                "' --listen-client-urls " + url() + " --advertise-client-urls " + url() +
                                " --listen-peer-urls " + peer + " --initial-advertise-peer-urls " + peer +
                                " --initial-cluster store-test=" + peer + " >'" + log + "' 2>&1";
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    if (posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) pid_ = -1;
    REQUIRE(pid_ > 0);
  }

  TempDir dir_;
  std::string address_;
  unsigned client_port_ = 0;
  pid_t pid_ = -1;
};
