#include "proxy/message_io.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "core/coroutine.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Reads or writes all of `buffer` before `deadline` expires.
template <class Operation>
asio::awaitable<error_code> before(asio::steady_timer& deadline, Operation& operation) {
  auto expiring = deadline.async_wait(use_tuple);
  auto outcome = co_await first_of(operation, expiring);
  if (outcome.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(std::get<0>(outcome));
}

}  // namespace

asio::awaitable<result<Message>> read_message(tcp::socket& socket, Duration timeout) {
  asio::steady_timer deadline(socket.get_executor(), timeout);
  std::array<std::byte, kLengthSize> header{};
  auto reading_header = asio::async_read(socket, asio::buffer(header), use_tuple);
  if (auto ec = co_await before(deadline, reading_header)) co_return ec;
  const auto length = body_length(header);
  if (!length) co_return length.error();
  std::string body(*length, '\0');
  auto reading_body = asio::async_read(socket, asio::buffer(body), use_tuple);
  if (auto ec = co_await before(deadline, reading_body)) co_return ec;
  co_return decode(body);
}

asio::awaitable<error_code> write_message(tcp::socket& socket, const Message& message, Duration timeout) {
  asio::steady_timer deadline(socket.get_executor(), timeout);
  const auto bytes = encode(message);
  auto writing = asio::async_write(socket, asio::buffer(bytes), use_tuple);
  co_return co_await before(deadline, writing);
}

}  // namespace msocket::proxy
