#include "throughput/transfer.hpp"

#include "common/latency_summary.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "common/output.hpp"
#include "common/progress.hpp"
#include "common/progress_bar.hpp"
#include "common/transfer_ends.hpp"
#include "core/log.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"
#include "testbed/namespaces.hpp"
#include "testbed/pipes.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto kProgressInterval = 500ms;

// What mbench sends. vmsplice hands these pages to the pipe instead of
// copying them, and they are never written, so what the pipe holds stays
// zeros. Together with splice to /dev/null on the other side this keeps
// mbench's own CPU use small next to the tools it measures (two cores).
alignas(4096) const char kZeros[testbed::kPipeBytes] = {};

// Feeds the sender's pipe with `total` zeros and drains the receiver's
// pipe into /dev/null, noting when the first and the last bytes come out.
class DataPump {
 public:
  DataPump(testbed::FileDescriptor& to_sender, testbed::FileDescriptor& from_receiver, std::uint64_t total)
      : to_sender_(to_sender), from_receiver_(from_receiver), total_(total) {
    testbed::set_nonblocking(to_sender_.get());
    testbed::set_nonblocking(from_receiver_.get());
    if (null_sink_.get() < 0) throw std::runtime_error(std::string("/dev/null: ") + std::strerror(errno));
  }

  // Waits up to 250 ms for either pipe and moves what it can. False once
  // the receiver's output has ended (it closed its stdout: it is exiting).
  bool move_some() {
    pollfd fds[2] = {{from_receiver_.get(), POLLIN, 0}, {to_sender_.get(), POLLOUT, 0}};
    const int ready = ::poll(fds, to_sender_.get() >= 0 ? 2 : 1, 250);
    if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    if (ready > 0 && to_sender_.get() >= 0 && fds[1].revents) feed();
    return ready <= 0 || !fds[0].revents || drain();
  }

  bool sender_stopped_reading() const { return sender_stopped_reading_; }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t received() const { return received_; }
  std::uint64_t first_read() const { return first_read_; }
  SteadyClock::time_point first_byte() const { return first_byte_; }
  SteadyClock::time_point last_byte() const { return last_byte_; }

 private:
  void feed() {
    iovec chunk{const_cast<char*>(kZeros), static_cast<std::size_t>(std::min<std::uint64_t>(testbed::kPipeBytes, total_ - sent_))};
    const auto n = ::vmsplice(to_sender_.get(), &chunk, 1, SPLICE_F_NONBLOCK);
    if (n < 0 && errno == EPIPE) sender_stopped_reading_ = true;
    else if (n < 0 && errno != EAGAIN) throw std::runtime_error(std::string("vmsplice: ") + std::strerror(errno));
    if (n > 0) sent_ += static_cast<std::uint64_t>(n);
    if (sent_ == total_) to_sender_.close();  // end of file for the sender
  }

  bool drain() {
    const auto n = ::splice(from_receiver_.get(), nullptr, null_sink_.get(), nullptr, testbed::kPipeBytes, SPLICE_F_NONBLOCK);
    if (n < 0 && errno != EAGAIN) throw std::runtime_error(std::string("splice: ") + std::strerror(errno));
    if (n == 0) return false;
    if (n < 0) return true;
    const auto now = SteadyClock::now();
    if (received_ == 0) {
      first_byte_ = now;
      first_read_ = static_cast<std::uint64_t>(n);
    }
    received_ += static_cast<std::uint64_t>(n);
    last_byte_ = now;
    return true;
  }

  testbed::FileDescriptor& to_sender_;
  testbed::FileDescriptor& from_receiver_;
  testbed::FileDescriptor null_sink_{::open("/dev/null", O_WRONLY | O_CLOEXEC)};
  std::uint64_t total_, sent_ = 0, received_ = 0, first_read_ = 0;
  bool sender_stopped_reading_ = false;
  SteadyClock::time_point first_byte_{}, last_byte_{};
};

}  // namespace

TransferResult run_transfer(const TransferTool& tool, const TransferPlan& plan) {
  const auto receiver_log = plan.log_dir / (tool.name + "-receiver.log");
  const auto sender_log = plan.log_dir / (tool.name + "-sender.log");

  auto from_receiver = testbed::make_pipe();
  testbed::ChildProcess receiver(testbed::in_namespace(plan.receiver_namespace, tool.receiver(plan.receiver_address)),
                        {-1, from_receiver->write.get(), receiver_log});
  from_receiver->write.close();  // else its end of file would never come
  const auto port = testbed::wait_for_listening_port(receiver_log, receiver);
  log::tool()->info("{}: receiver pid={} listening on {}:{}", tool.name, receiver.pid(), plan.receiver_address, port);
  if (!tool.ready_line.empty()) testbed::wait_for_lines(receiver_log, tool.ready_line, 1, receiver, std::chrono::seconds(10));

  auto to_sender = testbed::make_pipe();
  testbed::ChildProcess sender(testbed::in_namespace(plan.sender_namespace, tool.sender(plan.receiver_address, port)),
                      {to_sender->read.get(), -1, sender_log});
  to_sender->read.close();

  DataPump pump(to_sender->write, from_receiver->read, plan.bytes);
  const auto deadline = SteadyClock::now() + plan.timeout;
  auto next_progress = SteadyClock::now() + kProgressInterval;
  while (pump.move_some()) {
    testbed::throw_if_interrupted();
    if (pump.sender_stopped_reading())
      fail_with_log("the sender stopped reading after " + std::to_string(pump.sent()) + " bytes", sender, sender_log);
    const auto now = SteadyClock::now();
    if (now >= deadline)
      fail_with_log("the transfer did not end in time (" + std::to_string(pump.received()) + " bytes arrived)", sender, sender_log);
    if (now >= next_progress) {
      next_progress = now + kProgressInterval;
      if (plan.on_progress) plan.on_progress(pump.received());
      if (auto exit = sender.wait_for(0ms); exit && !exit->success()) fail_with_log("the sender " + exit->describe(), sender, sender_log);
    }
  }
  TransferResult result;
  result.sender = wait_for_clean_exit(sender, "sender", sender_log);
  result.receiver = wait_for_clean_exit(receiver, "receiver", receiver_log);
  if (pump.received() != plan.bytes)
    fail_with_log("the receiver wrote " + std::to_string(pump.received()) + " bytes of " + std::to_string(plan.bytes), receiver,
         receiver_log);
  // From the first byte out to the last: connection set-up is left out (as
  // iperf3 leaves it out), and so are the bytes of the first read.
  result.bytes = pump.received();
  result.timed_bytes = pump.received() - pump.first_read();
  result.seconds = std::chrono::duration<double>(pump.last_byte() - pump.first_byte()).count();
  if (result.seconds <= 0 || result.timed_bytes == 0) throw std::runtime_error("the transfer is too small to time; use a larger --size");
  return result;
}

std::vector<std::vector<TransferResult>> run_alternating(const std::vector<TransferTool>& tools, TransferPlan plan,
                                                         unsigned runs, Progress& progress) {
  std::vector<std::vector<TransferResult>> results(tools.size());
  for (unsigned run = 0; run < runs; ++run) {
    for (std::size_t k = 0; k < tools.size(); ++k) {
      const auto i = run % 2 ? tools.size() - 1 - k : k;
      const auto& tool = tools[i];
      progress.step("run " + std::to_string(run + 1) + " of " + std::to_string(runs) + ": " + tool.name + " (" +
                    tool.description + "), " + format_size(plan.bytes));
      {
        const ProgressBar bar(tool.name + " " + format_size(plan.bytes), plan.bytes);
        plan.on_progress = [&bar](std::uint64_t received) { bar.show(received); };
        results[i].push_back(run_transfer(tool, plan));
      }
      plan.on_progress = nullptr;
      const auto& r = results[i].back();
      log::tool()->info("{}: {:.1f} MiB/s, cpu sender {:.3f}s receiver {:.3f}s", tool.name,
                        static_cast<double>(r.timed_bytes) / (1024.0 * 1024.0) / r.seconds, r.sender.cpu_seconds(),
                        r.receiver.cpu_seconds());
    }
  }
  return results;
}

double median_of(const std::vector<TransferResult>& runs, double (*figure)(const TransferResult&)) {
  std::vector<double> values;
  for (const auto& r : runs) values.push_back(figure(r));
  return median(values);
}

}  // namespace msocket::mbench
