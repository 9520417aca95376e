// Owning handles for ldns's C objects, so that every early return of the
// DNS code frees what it made. Private to lib/names.
#pragma once

// First: without it ldns's common.h defines `bool`, `true` and `false` as
// macros, which breaks the C++ headers included after it.
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)

#include <ldns/ldns.h>

#include <memory>

namespace msocket::names {

struct LdnsPacketFree {
  void operator()(ldns_pkt* packet) const { ldns_pkt_free(packet); }
};
struct LdnsRecordFree {
  void operator()(ldns_rr* record) const { ldns_rr_free(record); }
};
struct LdnsFieldFree {
  void operator()(ldns_rdf* field) const { ldns_rdf_deep_free(field); }
};

using LdnsPacket = std::unique_ptr<ldns_pkt, LdnsPacketFree>;
using LdnsRecord = std::unique_ptr<ldns_rr, LdnsRecordFree>;
using LdnsField = std::unique_ptr<ldns_rdf, LdnsFieldFree>;

}  // namespace msocket::names
