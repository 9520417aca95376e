// One timed download for `mbench multipath` and `mbench handover`: a server
// in the server namespace sends what mbench writes to its stdin (a known
// pseudo-random pattern), a client in the client namespace writes what
// arrives to its stdout, which mbench reads, checks byte for byte against
// the pattern and counts in 100 ms buckets. The clock starts when the client
// is started (its connection set-up counts, as a download's does) and stops
// at the last byte. An event (a path lost) can be fired once a fraction of
// the bytes has arrived.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "session/types.hpp"

namespace msocket::mbench {

// How to run the two ends with one tool.
struct DownloadTool {
  std::string name;  // "msocket default", "mptcp", "tcp wifi"
  // Listens on ADDRESS, a port of the kernel's choice, announced on stderr
  // as "listening on ADDRESS:PORT"; sends its stdin to the one client, then exits.
  std::function<std::vector<std::string>(const std::string& address)> server;
  // Connects to ADDRESS:PORT and writes what arrives to stdout until the end.
  std::function<std::vector<std::string>(const std::string& address, unsigned short port)> client;
};

struct PatternDownloadPlan {
  std::uint64_t bytes = 0;
  std::string client_namespace, server_namespace, server_address;
  std::filesystem::path log_dir;  // the ends' stderr: client.log, server.log
  Duration timeout = std::chrono::minutes(2);
  // Fired once, when `event_fraction` of the bytes have arrived.
  std::optional<double> event_fraction;
  std::function<void()> on_event;
  // Bytes received so far per client device, sampled at every bucket's end.
  std::function<std::array<std::uint64_t, 2>()> device_bytes;
  // Called about twice a second with the bytes received so far.
  std::function<void(std::uint64_t received)> on_progress;
};

inline constexpr std::chrono::milliseconds kBucket{100};

struct PatternDownloadResult {
  double seconds = 0;  // the client's start .. the last byte
  std::uint64_t bytes = 0;
  std::optional<double> event_seconds;  // when the event was fired
  std::vector<std::uint64_t> bucket_bytes;  // payload per kBucket since the start
  // Bytes on each client device per kBucket since the start (IP packets).
  std::vector<std::array<std::uint64_t, 2>> bucket_device_bytes;
  std::array<std::uint64_t, 2> device_bytes{};  // totals over the download
};

// Runs one download. Throws std::runtime_error (with the failing end's
// stderr) if an end fails, a byte differs from the pattern, fewer bytes
// arrive or the timeout passes; Interrupted on SIGINT or SIGTERM. Both ends
// are stopped in every case.
PatternDownloadResult run_pattern_download(const DownloadTool& tool, const PatternDownloadPlan& plan);

}  // namespace msocket::mbench
