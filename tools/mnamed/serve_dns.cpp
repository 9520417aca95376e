// mnamed serve --dns: the DNS face of the name service (man/mnamed.8, DNS).
#include <cstdio>

#include "command_line.hpp"
#include "relay/duration.hpp"

namespace mnamed {

namespace {

names::DnsServerOptions dns_options(const Invocation& in) {
  names::DnsServerOptions options;
  const auto endpoint = endpoint_option(in, "dns");
  options.listen = {endpoint.address(), endpoint.port()};
  if (!in.options.count("zone")) throw UsageError("--dns needs --zone ZONE");
  options.zone.origin = text(in, "zone");
  if (!names::valid_dns_zone(options.zone))
    throw UsageError("--zone wants a domain name (letters, digits, '-', '.'), got '" + options.zone.origin + "'");
  const auto ttl = msocket::relay::parse_duration(text(in, "dns-ttl"));
  if (!ttl || *ttl > std::chrono::hours(24))
    throw UsageError("invalid time for --dns-ttl: '" + text(in, "dns-ttl") + "' (use e.g. 5s, 1m; at most 24h)");
  options.zone.max_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  options.query_rate.per_second = static_cast<double>(count_option(in, "dns-rate"));
  options.query_rate.burst = static_cast<double>(count_option(in, "dns-burst"));
  if (options.query_rate.per_second > 0 && options.query_rate.burst < 1)
    throw UsageError("--dns-burst must be at least 1 with a --dns-rate");
  return options;
}

}  // namespace

std::unique_ptr<names::DnsServer> start_dns(asio::io_context& context, names::Registry& registry,
                                            const Invocation& in) {
  if (!in.options.count("dns")) {
    if (in.options.count("zone")) throw UsageError("--zone goes with --dns ADDR:PORT");
    return nullptr;
  }
  auto options = dns_options(in);
  const auto zone = options.zone.origin;
  auto server = names::DnsServer::start(context.get_executor(), registry, std::move(options));
  if (!server) throw RuntimeError("cannot serve DNS on " + text(in, "dns") + ": " + server.error().message());
  const auto bound = (*server)->local_endpoint();
  // A status line, as "listening on" is: tests wait for it and read the port.
  std::fprintf(stderr, "mnamed: serving DNS for %s on %s:%u (UDP and TCP)\n", zone.c_str(),
               bound.address().to_string().c_str(), unsigned(bound.port()));
  return std::move(*server);
}

void print_dns_counts(const names::DnsCounts& counts) {
  std::fprintf(stderr, "mnamed: DNS answered %llu queries; dropped %llu malformed, %llu oversized, %llu over the rate\n",
               static_cast<unsigned long long>(counts.answered), static_cast<unsigned long long>(counts.malformed),
               static_cast<unsigned long long>(counts.oversized), static_cast<unsigned long long>(counts.rate_limited));
}

void add_dns_options(po::options_description& d) {
  d.add_options()("dns", po::value<std::string>(), "also answer DNS queries for the zone on ADDR:PORT (UDP and TCP)")(
      "zone", po::value<std::string>(), "the DNS zone: NAME.ZONE answers for the name NAME")(
      "dns-ttl", po::value<std::string>()->default_value("5s"),
      "the longest TTL of a DNS answer (never past the record's expiry)")(
      "dns-rate", po::value<std::string>()->default_value("200"),
      "DNS queries a second per source, an IPv4 address or IPv6 /64 (0: no limit); beyond, dropped")(
      "dns-burst", po::value<std::string>()->default_value("400"), "DNS queries one source may send at once");
}

}  // namespace mnamed
