// Errors of a reservation on a relay (mproxy), as a listener behind NAT
// meets them: one category, `msocket.proxy`, whose messages can be shown to
// a user as they are.
#pragma once

#include <boost/system/error_code.hpp>

#include "proxy/control_message.hpp"

namespace msocket::proxy {

enum class proxy_error {
  ok = 0,
  relay_full,         // Refusal::full
  not_owner,          // Refusal::not_owner
  limited,            // Refusal::limited
  draining,           // Refusal::draining
  refused_malformed,  // Refusal::malformed: the relay did not understand us
  bad_answer,         // the relay's answer is not this protocol
  bad_relay_address,  // not HOST:PORT
};

const boost::system::error_category& proxy_category() noexcept;

inline boost::system::error_code make_error_code(proxy_error e) noexcept {
  return {static_cast<int>(e), proxy_category()};
}

boost::system::error_code error_of(Refusal refusal);

}  // namespace msocket::proxy

namespace boost::system {
template <>
struct is_error_code_enum<msocket::proxy::proxy_error> : std::true_type {};
}  // namespace boost::system
