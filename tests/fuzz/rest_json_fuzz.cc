// The REST API's request parsers (api/rest_json.h) on arbitrary bytes: JSON bodies, record
// values, host names and query strings. Never crash; what they accept stays within the
// documented bounds. The first byte picks the parser, the rest is its input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/rest_json.h"

namespace api = tether::api;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (selector % 6) {
    case 0:
      (void)api::ParseHostBody(text);
      break;
    case 1: {
      auto body = api::ParseRecordsBody(text);
      if (!body) break;
      if (body->values.empty() || body->values.size() > api::kMaxListItems) std::abort();
      if (body->ttl && *body->ttl > api::kMaxTtl) std::abort();
      // The values as each REST record type, relative to a host name.
      static const tether::dns::Name origin = *tether::dns::Name::FromText("home.dyn.example.");
      for (const char* type : {"A", "AAAA", "TXT", "MX", "CNAME", "SRV", "CAA"}) {
        auto rrtype = api::ParseRecordType(type);
        if (!rrtype) std::abort();
        auto rdatas = api::ParseRecordValues(*rrtype, body->values, origin);
        if (rdatas && rdatas->size() != body->values.size()) std::abort();
      }
      break;
    }
    case 2:
      (void)api::ParseTokenBody(text, 1800000000);
      break;
    case 3:
      (void)api::ParseHostName(text);
      (void)api::ParseRecordType(text);
      break;
    case 4: {
      auto limit = api::ParseHistoryQuery(text);
      if (limit && (*limit == 0 || *limit > api::kMaxHistoryLimit)) std::abort();
      break;
    }
    default:
      (void)api::ParseRecordsQuery(text);
      (void)api::ParseEmptyQuery(text);
      break;
  }
  return 0;
}
