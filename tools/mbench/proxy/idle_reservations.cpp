#include "proxy/idle_reservations.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/event_loop.hpp"
#include "common/progress_bar.hpp"
#include "core/fd_limit.hpp"
#include "proxy/reservation_holders.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"

namespace asio = boost::asio;

namespace msocket::mbench {

namespace {

using std::to_string;

// What mbench has open besides the control channels: its files, its event
// loop, the pipes of its children.
constexpr std::size_t kOwnDescriptors = 64;

void raise_own_limit(unsigned reservations) {
  const std::size_t wanted = reservations + kOwnDescriptors;
  if (raise_fd_limit(wanted)) return;
  const auto limits = fd_limits();
  throw std::runtime_error(to_string(reservations) + " reservations need about " + to_string(wanted) +
                           " open files in mbench (one per control channel, and its own), but its limit of open "
                           "files (RLIMIT_NOFILE) stops at " + to_string(limits.soft) + " (hard limit " +
                           to_string(limits.hard) + ")");
}

// The relay inherits mbench's hard limit and raises its soft limit up to it
// (mproxy.8): two descriptors per reservation must fit there beside those it
// has open once it listens.
void check_relay_limit(unsigned reservations, std::size_t relay_open) {
  const auto hard = fd_limits().hard;
  const std::size_t needed = relay_open + 2 * std::size_t{reservations};
  if (needed <= hard) return;
  const auto fit = hard > relay_open ? (hard - relay_open) / 2 : 0;
  throw std::runtime_error(to_string(reservations) + " reservations need " + to_string(needed) +
                           " open files in the relay (2 each, its control channel and its public port, beside the " +
                           to_string(relay_open) + " it has open), above the hard limit of open files (RLIMIT_NOFILE, "
                           "ulimit -Hn) of " + to_string(hard) + ", which only a privileged process can raise: at most " +
                           to_string(fit) + " fit here");
}

// "2.0": seconds for the progress lines.
std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", seconds);
  return text;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

asio::awaitable<void> reserve_and_idle(ReservationHolders& holders, pid_t relay, const IdleReservationsPlan& plan,
                                       Progress& progress, IdleReservationsResult& r) {
  {
    const ProgressBar bar("reservations", plan.reservations);
    const auto start = Clock::now();
    co_await holders.reserve_all([&bar](unsigned granted) { bar.show(granted); });
    r.reserve_seconds = seconds_since(start);
  }
  r.renewal_interval = holders.renewal_interval();
  // A whole renewal interval: each reservation renews once in it, so the
  // CPU measured is that of the steady state, not of a lull between renewals.
  const auto idle = std::max(plan.idle, r.renewal_interval);
  progress.step("all granted in " + seconds_text(r.reserve_seconds) + " s; idle for " +
                seconds_text(std::chrono::duration<double>(idle).count()) + " s, each renewed every " +
                seconds_text(std::chrono::duration<double>(r.renewal_interval).count()) + " s");
  const auto cpu_before = testbed::read_process_cpu_seconds(relay);
  const auto idle_start = Clock::now();
  co_await holders.hold_for(idle);
  r.idle_cpu_seconds = testbed::read_process_cpu_seconds(relay) - cpu_before;
  r.idle_seconds = seconds_since(idle_start);
  r.after = testbed::read_process_memory(relay);
  r.descriptors_after = testbed::count_open_descriptors(relay);
}

// The channels are closed, failure or not: their renewals would keep the
// event loop running otherwise.
asio::awaitable<void> hold_and_measure(ReservationHolders& holders, pid_t relay, const IdleReservationsPlan& plan,
                                       Progress& progress, IdleReservationsResult& r) {
  std::exception_ptr failure;
  try {
    co_await reserve_and_idle(holders, relay, plan, progress, r);
  } catch (...) {
    failure = std::current_exception();
  }
  co_await holders.close();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

double IdleReservationsResult::resident_kib_per_reservation() const {
  return (static_cast<double>(after.resident_kib) - static_cast<double>(before.resident_kib)) / reservations;
}

double IdleReservationsResult::anonymous_kib_per_reservation() const {
  return (static_cast<double>(after.anonymous_kib) - static_cast<double>(before.anonymous_kib)) / reservations;
}

double IdleReservationsResult::idle_cpu_per_thousand() const {
  return 1000.0 * idle_cpu_seconds / idle_seconds / (reservations / 1000.0);
}

IdleReservationsResult measure_idle_reservations(const IdleReservationsPlan& plan, Progress& progress) {
  const auto n = plan.reservations;
  raise_own_limit(n);
  progress.step("mproxy on " + plan.relay_address + " for " + to_string(n) + " idle reservations");
  const auto log = plan.scratch / "mproxy-idle.log";
  testbed::ChildProcess relay({plan.mproxy.string(), "--listen", plan.relay_address + ":0", "--max-reservations",
                               to_string(n), "--ttl", plan.ttl},
                              testbed::ChildStreams{-1, -1, log});
  const auto port = testbed::wait_for_listening_port(log, relay);
  IdleReservationsResult r;
  r.reservations = n;
  r.before = testbed::read_process_memory(relay.pid());
  r.descriptors_before = testbed::count_open_descriptors(relay.pid());
  check_relay_limit(n, r.descriptors_before);
  try {
    asio::io_context context;
    ReservationHolders holders(context.get_executor(), {asio::ip::make_address(plan.relay_address), port}, n);
    r.sources = holders.sources();
    progress.step(to_string(n) + " reservations, a name and a new key each, from " + to_string(r.sources) +
                  " source addresses (127.0.1.1 on)");
    // Reserving takes about a millisecond each; then the idle time, at
    // most a renewal interval of mproxy's default ttl (30 s) or plan.idle.
    const auto timeout = std::chrono::seconds(90) + n * std::chrono::milliseconds(20) + plan.idle;
    run_to_completion(context, hold_and_measure(holders, relay.pid(), plan, progress, r), "the idle reservations",
                      timeout);
  } catch (const testbed::Interrupted&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + " (mproxy's log: " + testbed::file_tail(log, 3) + ")");
  }
  relay.stop();
  return r;
}

}  // namespace msocket::mbench
