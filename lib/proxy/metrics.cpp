#include "proxy/metrics.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {
constexpr std::size_t kMostAnswering = 16;  // scrapes at once; more wait in the backlog
constexpr auto kAnswerTimeout = std::chrono::seconds(5);

void metric(std::string& out, const char* name, const char* type, const char* help, std::uint64_t value) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
         std::to_string(value) + "\n";
}
}  // namespace

std::string metrics_text(const RelayCounters& c, bool draining) {
  std::string out;
  metric(out, "mproxy_reservations", "gauge", "Names reserved now.", c.reservations);
  metric(out, "mproxy_control_channels", "gauge", "Servers connected now.", c.control_channels);
  metric(out, "mproxy_flows", "gauge", "Flowpaths spliced now.", c.flows);
  metric(out, "mproxy_flows_waiting", "gauge", "Client halves waiting for the server's half.", c.waiting);
  metric(out, "mproxy_flows_total", "counter", "Flowpaths spliced since the start.", c.flows_total);
  metric(out, "mproxy_flows_unjoined_total", "counter", "Client halves closed because the server's never came.",
         c.unjoined);
  metric(out, "mproxy_spliced_bytes_total", "counter", "Bytes moved by splice(2), both directions.", c.bytes_spliced);
  metric(out, "mproxy_copied_bytes_total", "counter", "Control bytes read or written in user space.", c.bytes_copied);
  metric(out, "mproxy_drains_total", "counter", "Drains begun (SIGTERM).", c.drains);
  metric(out, "mproxy_draining", "gauge", "1 while draining.", draining ? 1 : 0);
  out += "# HELP mproxy_refusals_total Reservations and flows refused, by reason.\n"
         "# TYPE mproxy_refusals_total counter\n";
  for (auto reason : {Refusal::full, Refusal::not_owner, Refusal::limited, Refusal::draining, Refusal::malformed})
    out += std::string("mproxy_refusals_total{reason=\"") + to_string(reason) + "\"} " +
           std::to_string(c.refusals[static_cast<std::size_t>(reason)]) + "\n";
  return out;
}

result<std::shared_ptr<MetricsServer>> MetricsServer::open(asio::any_io_executor ex, const tcp::endpoint& where,
                                                           Source source) {
  tcp::acceptor acceptor(ex);
  error_code ec;
  acceptor.open(where.protocol(), ec);
  if (!ec) set_close_on_exec(acceptor.native_handle());
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(where, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  return std::make_shared<MetricsServer>(std::move(acceptor), std::move(source));
}

MetricsServer::MetricsServer(tcp::acceptor acceptor, Source source)
    : acceptor_(std::move(acceptor)), source_(std::move(source)) {}

void MetricsServer::start() {
  asio::co_spawn(acceptor_.get_executor(), run_accept(), LogCoroutineFailure(log::proxy(), "serving metrics"));
}

void MetricsServer::close() {
  error_code ignored;
  acceptor_.close(ignored);
}

tcp::endpoint MetricsServer::local_endpoint() const {
  error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

asio::awaitable<void> MetricsServer::run_accept() {
  auto self = shared_from_this();
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec || answering_ >= kMostAnswering) continue;
    set_close_on_exec(socket.native_handle());
    asio::co_spawn(acceptor_.get_executor(), answer(std::move(socket)),
                   LogCoroutineFailure(log::proxy(), "answering a scrape"));
  }
}

asio::awaitable<void> MetricsServer::answer(tcp::socket socket) {
  auto self = shared_from_this();
  ++answering_;
  struct Done {
    std::size_t& n;
    ~Done() { --n; }
  } done{answering_};
  boost::beast::flat_buffer buffer(8192);
  http::request_parser<http::empty_body> parser;
  parser.header_limit(8192);
  asio::steady_timer deadline(socket.get_executor(), kAnswerTimeout);
  auto reading = http::async_read(socket, buffer, parser, use_tuple);
  auto expiring = deadline.async_wait(use_tuple);
  auto outcome = co_await first_of(reading, expiring);
  if (outcome.index() == 1 || std::get<0>(std::get<0>(outcome))) co_return;
  http::response<http::string_body> response;
  response.version(11);
  response.keep_alive(false);
  if (parser.get().method() == http::verb::get) {
    response.result(http::status::ok);
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() = source_();
  } else {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET");
  }
  response.prepare_payload();
  deadline.expires_after(kAnswerTimeout);
  auto writing = http::async_write(socket, response, use_tuple);
  auto expiring_write = deadline.async_wait(use_tuple);
  co_await first_of(writing, expiring_write);
}

}  // namespace msocket::proxy
