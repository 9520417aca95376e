#include "energy_download.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "child_process.hpp"
#include "energy_interface_counters.hpp"
#include "interruption.hpp"
#include "log.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kPipeBytes = 1 << 20;  // fewer wake-ups for mbench than 64 KiB
constexpr auto kProgressInterval = 250ms;
constexpr auto kExitWait = 10s;  // for the ends to exit once the data is through

class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  ~OwnedFd() { close(); }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  int get() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

[[noreturn]] void fail_system(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// `bytes` zeros that take no disk space (a sparse file): the server reads
// them at memory speed, whatever the disk.
std::filesystem::path payload_file(const std::filesystem::path& dir, std::uint64_t bytes) {
  const auto path = dir / ("payload-" + std::to_string(bytes));
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) == bytes && !ec) return path;
  const OwnedFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) fail_system("cannot create " + path.string());
  if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) fail_system("cannot size " + path.string());
  return path;
}

std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  return argv;
}

[[noreturn]] void fail(const std::string& what, const ChildProcess& end, const std::filesystem::path& log) {
  throw std::runtime_error(what + " (" + end.name() + " said: " + file_tail(log) + ")");
}

void expect_clean_exit(ChildProcess& end, const std::string& role, const std::filesystem::path& log) {
  const auto exit = end.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(kExitWait));
  if (!exit) fail("the " + role + " did not exit within 10 s of the end of the download", end, log);
  if (!exit->success()) fail("the " + role + " " + exit->describe(), end, log);
}

// Moves what the client writes into /dev/null until its end of file,
// counting it; returns when the last byte came out.
SteadyClock::time_point drain(int from_client, ChildProcess& client, const std::filesystem::path& client_log,
                              const DownloadPlan& plan, std::uint64_t& received) {
  const OwnedFd sink(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  if (sink.get() < 0) fail_system("/dev/null");
  const auto deadline = SteadyClock::now() + plan.timeout;
  auto last_byte = SteadyClock::now(), next_progress = last_byte + kProgressInterval;
  for (;;) {
    pollfd readable{from_client, POLLIN, 0};
    if (::poll(&readable, 1, 100) < 0 && errno != EINTR) fail_system("poll");
    throw_if_interrupted();
    const auto n = ::splice(from_client, nullptr, sink.get(), nullptr, kPipeBytes, SPLICE_F_NONBLOCK);
    if (n < 0 && errno != EAGAIN && errno != EINTR) fail_system("splice");
    const auto now = SteadyClock::now();
    if (n == 0) return last_byte;
    if (n > 0) {
      received += static_cast<std::uint64_t>(n);
      last_byte = now;
    }
    if (now >= deadline)
      fail("the download did not end in time (" + std::to_string(received) + " bytes arrived)", client, client_log);
    if (now >= next_progress) {
      next_progress = now + kProgressInterval;
      if (plan.on_progress) plan.on_progress(received);
    }
  }
}

}  // namespace

DownloadResult run_download(const EnergyNetwork& network, const EnergyCase& energy_case, const DownloadPlan& plan) {
  const auto server_log = plan.work_dir / (energy_case.key + "-server.log");
  const auto client_log = plan.work_dir / (energy_case.key + "-client.log");
  OwnedFd payload(::open(payload_file(plan.work_dir, plan.bytes).c_str(), O_RDONLY | O_CLOEXEC));
  if (payload.get() < 0) fail_system("cannot open the payload file");
  ChildProcess server(in_namespace(network.server_namespace,
                                   {plan.mcat.string(), "-l", "-v", network.server_address, "0"}),
                      {payload.get(), -1, server_log});
  payload.close();
  const auto port = wait_for_listening_port(server_log, server);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) fail_system("pipe");
  OwnedFd from_client(fds[0]), to_mbench(fds[1]);
  ::fcntl(fds[0], F_SETPIPE_SZ, kPipeBytes);
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  std::vector<std::string> argv{plan.mcat.string(), "-v"};
  for (const auto path : energy_case.paths) argv.insert(argv.end(), {"-s", network.client_addresses.at(path)});
  argv.insert(argv.end(), {network.server_address, std::to_string(port)});

  InterfaceCounterSampler sampler(network.client_namespace, network.client_interfaces, plan.sample_interval);
  const auto start = SteadyClock::now();
  ChildProcess client(in_namespace(network.client_namespace, argv), {-1, to_mbench.get(), client_log});
  to_mbench.close();  // else its end of file would never come
  log::tool()->info("{}: server pid={} port {}, client pid={}", energy_case.key, server.pid(), port, client.pid());

  DownloadResult result;
  const auto last_byte = drain(from_client.get(), client, client_log, plan, result.bytes);
  expect_clean_exit(client, "client", client_log);
  expect_clean_exit(server, "server", server_log);
  result.traces = sampler.stop();  // after both ends: their closing packets are part of the trace
  if (result.bytes != plan.bytes)
    fail("the client wrote " + std::to_string(result.bytes) + " bytes of " + std::to_string(plan.bytes), client,
         client_log);
  result.seconds = std::chrono::duration<double>(last_byte - start).count();
  return result;
}

}  // namespace msocket::mbench
