// The packed forms the store keeps in BLOB columns, and their bounds-checked parsers.
// Every blob read back from a database is untrusted (the file may be damaged or edited):
// the decoders read through dns::Reader, cap every count by the bytes remaining, and
// return an error instead of crashing or reading out of bounds.
//
//   RRsets of one name (names.data):
//     u8 format (1), then per RRset in increasing type order:
//     u16 type, u32 ttl, u16 count (>= 1), count x (u16 length, RDATA)
//   Journal RRs (journal.removed / journal.added):
//     u8 format (1), then per RR: owner (uncompressed wire name), u16 type, u32 ttl,
//     u16 length, RDATA
//   Owner key (names.owner): the lowercase wire labels of the name below the zone origin,
//     without the origin (empty for the apex). Keeping the origin out saves its length on
//     each of millions of rows; the key still sorts and compares as plain bytes.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/wire/reader.h"
#include "store/store.h"
#include "zone/rrset.h"

namespace tether::store {

// Checks that RRsets can be stored and served: no empty RRset, each RRset small enough
// for the in-memory zone (which also bounds every RDATA to 64 KiB).
Status CheckRrsetSizes(const dns::Name& owner, const std::vector<zone::Rrset>& rrsets);
// Normalises RRsets (RFC 4034 6.3 order, duplicate records dropped, sorted by type), then
// CheckRrsetSizes. Fails on two RRsets of one type.
Status NormalizeForStore(const dns::Name& owner, std::vector<zone::Rrset>* rrsets);
// True if zone::NormalizeRrsets would leave `rrsets` unchanged.
bool IsNormalized(const std::vector<zone::Rrset>& rrsets);

// REQUIRES: `rrsets` passed NormalizeForStore.
void EncodeRrsets(const std::vector<zone::Rrset>& rrsets, std::vector<uint8_t>* out);
Result<std::vector<zone::Rrset>> DecodeRrsets(std::span<const uint8_t> blob);

// REQUIRES: every rdata is at most 65535 bytes.
void EncodeJournalRrs(const std::vector<JournalRr>& rrs, std::vector<uint8_t>* out);
Result<std::vector<JournalRr>> DecodeJournalRrs(std::span<const uint8_t> blob);

// The owner key of `name`. REQUIRES: `name` is lowercase and at or below `origin`.
std::span<const uint8_t> OwnerKey(const dns::Name& name, const dns::Name& origin);
// Rebuilds the full name from an untrusted owner key.
Result<dns::Name> NameFromOwnerKey(std::span<const uint8_t> key, const dns::Name& origin);

// Moves `reader` past one uncompressed wire name (labels of at most 63 bytes, at most 255
// bytes in all). Stored data is never compressed, so a compression pointer is damage.
// Returns false (and the name is unusable) on any violation.
bool SkipUncompressedName(dns::Reader& reader);

}  // namespace tether::store
