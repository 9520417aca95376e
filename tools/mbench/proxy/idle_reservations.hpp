// mbench proxy's second measurement: what an idle reservation costs a
// relay. One mproxy on 127.0.0.2 (without --names: the first key to
// reserve a name holds it), whose resident memory is read once it listens
// and again after `reservations` reservations, held and renewed from
// mbench itself (reservation_holders.hpp), have sat idle for a renewal
// interval; and the CPU it spends over that idle time, on their renewals.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "common/progress.hpp"
#include "msocket/types.hpp"
#include "testbed/process_status.hpp"

namespace msocket::mbench {

struct IdleReservationsPlan {
  unsigned reservations = 10000;
  std::filesystem::path mproxy;
  std::string relay_address = "127.0.0.2";  // it listens there, on a port the kernel picks
  std::filesystem::path scratch;  // where the relay's log goes
  // Idle time after the last grant: at least this, and at least a renewal
  // interval (a third of the relay's ttl), so that each renews once in it.
  Duration idle = std::chrono::seconds(2);
  // The relay's --ttl: renewals come every third of it (a short one keeps
  // a quick run short).
  std::string ttl = "30s";
};

struct IdleReservationsResult {
  unsigned reservations = 0;
  unsigned sources = 0;                      // source addresses they came from
  testbed::ProcessMemory before, after;      // the relay's, listening and after the idle time
  std::size_t descriptors_before = 0, descriptors_after = 0;  // open in the relay
  double reserve_seconds = 0;                // from the first connect to the last grant
  double idle_seconds = 0;                   // the idle time, as measured
  double idle_cpu_seconds = 0;               // the relay's user + system CPU over it
  Duration renewal_interval{};               // a third of the relay's ttl

  // (after - before) / reservations.
  double resident_kib_per_reservation() const;
  double anonymous_kib_per_reservation() const;
  // The relay's CPU while idle, in ms per second, per 1000 reservations.
  double idle_cpu_per_thousand() const;
};

// Holds the reservations and measures (three steps of `progress`); the
// relay is stopped and every channel closed on the way out, error or not.
// Throws std::runtime_error naming RLIMIT_NOFILE when mbench or the relay
// cannot open enough descriptors, naming the reservation that failed, with
// the tail of the relay's log, for anything else; testbed::Interrupted on
// SIGINT or SIGTERM.
IdleReservationsResult measure_idle_reservations(const IdleReservationsPlan& plan, Progress& progress);

}  // namespace msocket::mbench
