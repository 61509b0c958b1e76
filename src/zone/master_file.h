// Master files (RFC 1035 5): reading zone files into records and zones, and writing a zone
// back out. Supports $ORIGIN, $TTL, $INCLUDE, parentheses across lines, quoted strings,
// \X and \DDD escapes, comments, '@', relative names, an empty owner (the previous owner),
// TTL and class in either order, BIND-style TTL units (1h30m) and RFC 3597 "\# LEN HEX"
// generic RDATA for every type. Errors say "FILE:LINE: reason".
//
// Choices, following BIND:
// - A record without a TTL takes the $TTL value if one was seen, else the last explicit TTL
//   (RFC 1035 5.1), else, for an SOA record, its MINIMUM field (which then counts as the
//   last TTL), else options.default_ttl. $TTL and the last TTL carry across $INCLUDE.
//   TTLs above 2^31-1 are read as 0 (RFC 2181 8).
// - A record without a class takes the last class stated, IN before any. NONE and ANY are
//   not data classes; meta types (ANY, AXFR, OPT, ...) are refused.
// - $ORIGIN may be relative (to the current origin). $INCLUDE's origin and any $ORIGIN
//   inside the included file end with it; the including file keeps its origin and previous
//   owner. Includes nest at most options.max_include_depth deep (0: $INCLUDE is refused);
//   a file that includes itself, directly or not, is an error. Only regular files are read.
// - $GENERATE (BIND's form, see master_generate.h) is supported, up to 2^20 records per line.
// - A newline inside a quoted string is an error ("unbalanced quotes").
//
// Pure functions over their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "zone/zone.h"

namespace tether::zone {

struct MasterRecord {
  dns::Name owner;  // absolute, case as written
  dns::RrType type = dns::RrType::kA;
  uint16_t klass = 1;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;  // canonical wire form
};

struct MasterFileOptions {
  dns::Name origin;               // the initial $ORIGIN (and the zone, for checks)
  uint32_t default_ttl = 3600;    // used until a $TTL or an explicit TTL is seen
  int max_include_depth = 8;      // $INCLUDE nesting limit
};

// Streams the records of a master file to `sink`, in file order. Stops at the first error
// (from the file, or from the sink, returned unchanged).
Status ReadMasterFile(const std::string& path, const MasterFileOptions& options,
                      const std::function<Status(MasterRecord&&)>& sink);
// The same over text in memory; `source_name` is used in error messages. $INCLUDE paths are
// relative to the working directory.
Status ReadMasterText(std::string_view text, std::string_view source_name,
                      const MasterFileOptions& options,
                      const std::function<Status(MasterRecord&&)>& sink);

// Reads a zone file and checks it is a usable zone: every owner inside `origin`, class IN,
// exactly one SOA at the apex, NS records at the apex, no CNAME next to other data
// (RFC 2181 10.1), no DNAME with names below it. Returns the names grouped into updates
// (records of one owner and type form an RRset; the first record's TTL is the RRset's),
// one per owner in order of first appearance, names lowercased, RRsets normalized.
Result<std::vector<NameUpdate>> LoadZoneUpdates(const std::string& path, const dns::Name& origin);
// LoadZoneUpdates + a new Zone holding them (version 1).
Result<std::shared_ptr<Zone>> LoadZoneFile(const std::string& path, const dns::Name& origin);

// Writes every record of `zone` in master-file form: $ORIGIN, the SOA first, then the other
// names in canonical order, one record per line, absolute names. named-checkzone and
// kzonecheck accept the output.
Status WriteMasterFile(Zone& zone, std::ostream& out);
// Appends one record line ("OWNER<TAB>TTL<TAB>IN<TAB>TYPE<TAB>RDATA\n") as WriteMasterFile
// writes it.
void AppendMasterRecord(const std::string& owner, const Rrset& rrset, std::span<const uint8_t> rdata,
                        std::string* out);

}  // namespace tether::zone
