// The traffic of `mbench recovery`: each client's standard input is a pipe
// that a thread of mbench feeds with a small chunk at a steady pace, and the
// server echoes it (`mcat -c cat`), so that every connection carries data
// both ways before, during and after a move, as an interactive session
// does, without filling the emulated link's queue (which would add queueing
// delay to the recovery being measured). Closing the pipes ends the
// connections: each client half-closes, the server's cat exits, and the
// clients exit and write their statistics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

namespace msocket::mbench {

class PacedFeed {
 public:
  // `pipes` pipes, fed `chunk` bytes each every `interval` once started.
  // Throws std::runtime_error if a pipe cannot be made.
  PacedFeed(std::size_t pipes, std::size_t chunk, std::chrono::milliseconds interval);
  // Stops the thread and closes every end still open.
  ~PacedFeed();
  PacedFeed(const PacedFeed&) = delete;
  PacedFeed& operator=(const PacedFeed&) = delete;

  // The read end of pipe `i`, for a child's stdin (close_read_end after the fork).
  int read_end(std::size_t i) const { return read_ends_[i]; }
  void close_read_end(std::size_t i);

  // Starts the thread. A full pipe is skipped for that round; a pipe whose
  // reader is gone is left alone.
  void start();
  // Stops the thread and closes the write ends: end of file for every client.
  void finish();

  // Bytes written into pipe `i` so far (read after finish()).
  std::size_t written(std::size_t i) const { return written_[i]; }

 private:
  void run();

  std::vector<int> read_ends_, write_ends_;
  std::vector<std::size_t> written_;
  std::size_t chunk_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace msocket::mbench
