#include "proxy/proxy_error.hpp"

#include <string>

namespace msocket::proxy {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "msocket.proxy"; }
  std::string message(int value) const override {
    switch (static_cast<proxy_error>(value)) {
      case proxy_error::ok: return "success";
      case proxy_error::relay_full: return "the relay is full (its --max-reservations)";
      case proxy_error::not_owner: return "the relay says this key does not own the name";
      case proxy_error::limited: return "the relay limits this address (too many requests from it)";
      case proxy_error::draining: return "the relay is shutting down";
      case proxy_error::refused_malformed: return "the relay did not understand the request";
      case proxy_error::bad_answer: return "the relay's answer is not the mproxy protocol";
      case proxy_error::bad_relay_address: return "a relay is given as HOST:PORT";
    }
    return "unknown relay error";
  }
};

}  // namespace

const boost::system::error_category& proxy_category() noexcept {
  static const Category instance;
  return instance;
}

boost::system::error_code error_of(Refusal refusal) {
  switch (refusal) {
    case Refusal::full: return proxy_error::relay_full;
    case Refusal::not_owner: return proxy_error::not_owner;
    case Refusal::limited: return proxy_error::limited;
    case Refusal::draining: return proxy_error::draining;
    case Refusal::malformed: return proxy_error::refused_malformed;
  }
  return proxy_error::refused_malformed;
}

}  // namespace msocket::proxy
