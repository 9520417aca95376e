#include "core/coroutine.hpp"

#include "core/log.hpp"

namespace msocket {

void LogCoroutineFailure::operator()(std::exception_ptr e) const {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    logger_->error("internal error in {}: {}", what_, x.what());
  } catch (...) {
    logger_->error("internal error in {}", what_);
  }
}

void log_coroutine_exception(std::exception_ptr e) {
  static const LogCoroutineFailure transport(log::transport(), "a connection's coroutine");
  transport(e);
}

}  // namespace msocket
