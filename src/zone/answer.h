// The authoritative answer algorithm of RFC 1034 4.3.2, with RFC 4592 wildcards, RFC 2308
// negative answers, RFC 6672 DNAME and RFC 8482 ANY, writing straight into the response.
//
// The caller has written the header and copied the question verbatim (the question name
// starts at offset 12, so records owned by the question name are written as a pointer to
// it, which also echoes the client's case). AnswerQuery appends the answer, authority and
// additional sections; the caller sets the header counts and flags from the result.
//
// Thread-safety: call from a reader thread inside a QSBR read section; `zones` must be the
// snapshot loaded in that section.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dns/rr_type.h"
#include "dns/wire/writer.h"
#include "zone/zone_set.h"

namespace tether::zone {

// The question, parsed and lowercased by the query path.
struct Query {
  static constexpr int kMaxLabels = 128;
  uint8_t qname[255];  // lowercase, uncompressed wire form
  size_t qname_size = 0;
  uint8_t labels[kMaxLabels];  // offset of each label start (the root label excluded)
  int label_count = 0;
  dns::RrType qtype = dns::RrType::kA;
  bool tcp = false;  // RFC 8482: full ANY answers only over TCP
  uint32_t window = 0;  // QueryWindow(now) (node.h): where the answer's query is counted
};

// Fills labels/label_count from qname. REQUIRES: a valid wire name in qname[0, qname_size).
void IndexLabels(Query* query);

struct AnswerResult {
  dns::Rcode rcode = dns::Rcode::kNoError;
  bool authoritative = false;
  bool truncated = false;  // an answer or authority RRset did not fit
  uint16_t answer_count = 0;
  uint16_t authority_count = 0;
  uint16_t additional_count = 0;
  bool watched = false;  // the question's name is marked kNodeStateLogQueries (a watched host)
};

AnswerResult AnswerQuery(const ZoneSet& zones, const Query& query, dns::Writer& writer);

}  // namespace tether::zone
