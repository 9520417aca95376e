// The rows of `mbench scale --server-move` (server_move.hpp): from the ip
// command to each connection's `migrated` line, p50, p90 and max, in ms and
// in RTTs, against the target of 2.5 RTT at p90; when the listener noticed
// the move and when every RECONNECT was acknowledged; the raw samples.
#pragma once

#include "common/report.hpp"
#include "scale/server_move.hpp"

namespace msocket::mbench {

inline constexpr double kServerMoveTargetRtts = 2.5;  // p90, from the ip command

void add_server_move_rows(Report& report, const ServerMoveResult& r);

}  // namespace msocket::mbench
