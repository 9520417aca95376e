#include "command_line.hpp"

#include <cstdlib>
#include <iostream>

#include <boost/json/serialize.hpp>

#include "names/key_file.hpp"
#include "relay/duration.hpp"

namespace mnamed {

std::string text(const Invocation& in, const char* option) { return in.options[option].as<std::string>(); }

asio::ip::tcp::endpoint endpoint_option(const Invocation& in, const char* option) {
  const auto value = text(in, option);
  const auto colon = value.rfind(':');
  std::string host = colon == std::string::npos ? "" : value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  const auto port_text = colon == std::string::npos ? "" : value.substr(colon + 1);
  const bool port_ok = !port_text.empty() && port_text.size() <= 5 &&
                       port_text.find_first_not_of("0123456789") == std::string::npos && std::stoi(port_text) <= 65535;
  if (ec || !port_ok) throw UsageError(std::string("--") + option + " wants ADDR:PORT, got '" + value + "'");
  return {address, static_cast<unsigned short>(std::stoi(port_text))};
}

std::size_t count_option(const Invocation& in, const char* option, std::size_t most) {
  const auto value = text(in, option);
  const bool digits = !value.empty() && value.size() <= 10 && value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoull(value) > most)
    throw UsageError(std::string("--") + option + " wants a whole number from 0 to " + std::to_string(most) + ", got '" +
                     value + "'");
  return std::stoull(value);
}

std::vector<names::ServerUrl> server_option(const Invocation& in) {
  std::string url;
  if (in.options.count("server")) url = text(in, "server");
  else if (const char* env = std::getenv("MNAMED_SERVER")) url = env;
  else throw UsageError("--server URL is required (or MNAMED_SERVER in the environment)");
  auto server = names::parse_server_list(url);
  if (!server) throw UsageError("--server wants http://HOST:PORT[,http://HOST:PORT...], got '" + url + "'");
  return *server;
}

names::ClientOptions client_options(const Invocation& in) {
  names::ClientOptions options;
  auto timeout = msocket::relay::parse_duration(text(in, "timeout"));
  if (!timeout || *timeout <= msocket::Duration::zero())
    throw UsageError("invalid time for --timeout: '" + text(in, "timeout") + "' (use e.g. 500ms, 2s, 1m)");
  options.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
  options.connect_timeout = std::min(options.connect_timeout, options.request_timeout);
  return options;
}

names::SigningKey key_option(const Invocation& in) {
  auto key = names::load_key_file(text(in, "key"));
  if (!key) throw RuntimeError("key file " + text(in, "key") + ": " + key.error().message());
  return *key;
}

std::string name_argument(const Invocation& in, std::size_t count) {
  if (in.args.empty()) throw UsageError("a NAME is required");
  if (count && in.args.size() > count) throw UsageError("too many arguments: '" + in.args[count] + "'");
  if (!names::valid_name(in.args[0]))
    throw UsageError("invalid name '" + in.args[0] + "' (1 to 253 letters, digits, '.', '-' or '_')");
  return in.args[0];
}

void add_client_options(po::options_description& description) {
  description.add_options()("server", po::value<std::string>(), "the name server, http://HOST:PORT, or several front ends of one store, comma-separated (default: $MNAMED_SERVER)")(
      "timeout", po::value<std::string>()->default_value("10s"), "give up on a request after TIME");
}

void print_json(const boost::json::value& value) { std::cout << boost::json::serialize(value) << std::endl; }

void hold_further_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace mnamed
