#include "proxy/reservation_request.hpp"

#include <algorithm>

#include "proxy/message_io.hpp"
#include "proxy/proxy_error.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

asio::awaitable<result<ReservationAnswer>> request_reservation(tcp::socket& socket, const std::string& name,
                                                               const names::SigningKey& key, Duration answer_timeout) {
  if (auto ec = co_await write_message(socket, Hello{}, answer_timeout)) co_return ec;
  auto challenge = co_await read_message(socket, answer_timeout);
  if (!challenge) co_return challenge.error();
  const auto* asked = std::get_if<Challenge>(&*challenge);
  if (!asked) co_return make_error_code(proxy_error::bad_answer);
  if (auto ec = co_await write_message(socket, make_reserve(asked->nonce, name, key), answer_timeout)) co_return ec;
  auto answer = co_await read_message(socket, answer_timeout);
  if (!answer) co_return answer.error();
  if (auto* reserved = std::get_if<Reserved>(&*answer)) co_return ReservationAnswer(std::move(*reserved));
  if (auto* refused = std::get_if<Refused>(&*answer)) co_return ReservationAnswer(std::move(*refused));
  co_return make_error_code(proxy_error::bad_answer);
}

Duration reservation_ttl(const Reserved& reserved) {
  return std::chrono::seconds(std::max<std::uint32_t>(reserved.ttl, 3));
}

}  // namespace msocket::proxy
