#include "msocket/stats.hpp"

namespace msocket {

const char* to_string(MigrationCause cause) {
  switch (cause) {
    case MigrationCause::client_move: return "client-move";
    case MigrationCause::server_move: return "server-move";
    case MigrationCause::simultaneous: return "simultaneous";
    case MigrationCause::path_failure: return "path-failure";
    case MigrationCause::application: return "application";
  }
  return "unknown";
}

}  // namespace msocket
