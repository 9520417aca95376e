// Panels of a download's timeline for gnuplot, shared by `mbench handover`
// and `mbench multipath`: the bytes received so far against time (the
// application's payload, and the IP bytes on each client device), which
// only grow, so bursts of reordered data show as steps instead of spikes;
// optionally the payload's rate over a sliding window of stated length on
// the right axis; and an event (a path lost) as a labelled vertical line.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace msocket::mbench {

struct TimelineEvent {
  double seconds = 0;
  std::string what;  // "wifi address deleted"
};

struct TimelinePanel {
  std::string title;
  std::chrono::milliseconds bucket{100};
  std::vector<std::uint64_t> payload;                 // per bucket
  std::vector<std::array<std::uint64_t, 2>> devices;  // per bucket, IP bytes received per client device
  std::array<std::string, 2> device_names;            // "wifi", "lte"
  std::optional<TimelineEvent> event;
  // The payload's rate over this window, on the right axis; none: no rate.
  std::optional<std::chrono::milliseconds> rate_window;
  std::optional<double> x_max;  // seconds; none: gnuplot's choice
};

// Writes the gnuplot commands of one panel of a multiplot into `body`:
// its data block ($timelineINDEX: seconds, payload MiB, device MiB x 2,
// rate Mbit/s), the event's line and label, the axes and the plot.
void write_timeline_panel(std::ostream& body, std::size_t index, const TimelinePanel& panel);

// "rate over a 500 ms sliding window"
std::string describe_rate_window(std::chrono::milliseconds window);

}  // namespace msocket::mbench
