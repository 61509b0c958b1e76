#include "store/blob_codec.h"

#include <cstring>

#include "zone/node.h"

namespace tether::store {

namespace {

constexpr uint8_t kRrsetsFormat = 1;
constexpr uint8_t kJournalFormat = 1;

void PutU16(std::vector<uint8_t>* out, uint16_t value) {
  out->push_back(static_cast<uint8_t>(value >> 8));
  out->push_back(static_cast<uint8_t>(value));
}

void PutU32(std::vector<uint8_t>* out, uint32_t value) {
  out->push_back(static_cast<uint8_t>(value >> 24));
  out->push_back(static_cast<uint8_t>(value >> 16));
  out->push_back(static_cast<uint8_t>(value >> 8));
  out->push_back(static_cast<uint8_t>(value));
}

void PutBytes(std::vector<uint8_t>* out, std::span<const uint8_t> bytes) {
  out->insert(out->end(), bytes.begin(), bytes.end());
}

auto Damaged(const char* what) {
  return MakeError(ErrorCode::kIo, fmt::format("damaged {} in the store", what));
}

}  // namespace

bool SkipUncompressedName(dns::Reader& reader) {
  size_t total = 0;
  while (reader.ok()) {
    uint8_t length = reader.U8();
    total += 1u + length;
    if (!reader.ok() || length > dns::Name::kMaxLabel || total > dns::Name::kMaxWire) return false;
    if (length == 0) return true;
    reader.Skip(length);
  }
  return false;
}

Status NormalizeForStore(const dns::Name& owner, std::vector<zone::Rrset>* rrsets) {
  if (!zone::NormalizeRrsets(rrsets)) {
    return InvalidArgument("two RRsets of one type at {}", owner.ToText());
  }
  return CheckRrsetSizes(owner, *rrsets);
}

bool IsNormalized(const std::vector<zone::Rrset>& rrsets) {
  for (size_t i = 0; i < rrsets.size(); ++i) {
    if (i > 0 && dns::ToU16(rrsets[i - 1].type) >= dns::ToU16(rrsets[i].type)) return false;
    const auto& rdatas = rrsets[i].rdatas;
    for (size_t j = 1; j < rdatas.size(); ++j) {
      if (!(rdatas[j - 1] < rdatas[j])) return false;
    }
  }
  return true;
}

Status CheckRrsetSizes(const dns::Name& owner, const std::vector<zone::Rrset>& rrsets) {
  for (const auto& rrset : rrsets) {
    // The in-memory zone's limit (zone.cc): the RRset's records must fit 64 KiB there.
    size_t wire = 0;
    for (const auto& rdata : rrset.rdatas) wire += zone::kRecordFixedSize + rdata.size();
    if (rrset.rdatas.empty() || wire > 65535) {
      return InvalidArgument("RRset {} {} is empty or larger than 64 KiB", owner.ToText(),
                             dns::RrTypeToString(rrset.type));
    }
  }
  return Ok();
}

void EncodeRrsets(const std::vector<zone::Rrset>& rrsets, std::vector<uint8_t>* out) {
  out->clear();
  out->push_back(kRrsetsFormat);
  for (const auto& rrset : rrsets) {
    PutU16(out, dns::ToU16(rrset.type));
    PutU32(out, rrset.ttl);
    PutU16(out, static_cast<uint16_t>(rrset.rdatas.size()));
    for (const auto& rdata : rrset.rdatas) {
      PutU16(out, static_cast<uint16_t>(rdata.size()));
      PutBytes(out, rdata);
    }
  }
}

Result<std::vector<zone::Rrset>> DecodeRrsets(std::span<const uint8_t> blob) {
  dns::Reader reader(blob);
  if (reader.U8() != kRrsetsFormat) return Damaged("name data (unknown format)");
  std::vector<zone::Rrset> rrsets;
  int previous_type = -1;
  while (reader.ok() && !reader.empty()) {
    zone::Rrset& rrset = rrsets.emplace_back();
    uint16_t type = reader.U16();
    rrset.type = static_cast<dns::RrType>(type);
    rrset.ttl = reader.U32();
    uint16_t count = reader.U16();
    // Each record takes at least its two length bytes: a larger count is damage.
    if (count == 0 || count > reader.remaining() / 2 || type <= previous_type) {
      return Damaged("name data");
    }
    previous_type = type;
    rrset.rdatas.resize(count);
    for (auto& rdata : rrset.rdatas) {
      uint16_t length = reader.U16();
      std::span<const uint8_t> bytes = reader.Bytes(length);
      rdata.assign(bytes.begin(), bytes.end());
    }
  }
  if (!reader.ok()) return Damaged("name data");
  return rrsets;
}

void EncodeJournalRrs(const std::vector<JournalRr>& rrs, std::vector<uint8_t>* out) {
  out->clear();
  out->push_back(kJournalFormat);
  for (const auto& rr : rrs) {
    PutBytes(out, rr.owner.wire());
    PutU16(out, dns::ToU16(rr.type));
    PutU32(out, rr.ttl);
    PutU16(out, static_cast<uint16_t>(rr.rdata.size()));
    PutBytes(out, rr.rdata);
  }
}

Result<std::vector<JournalRr>> DecodeJournalRrs(std::span<const uint8_t> blob) {
  dns::Reader reader(blob);
  if (reader.U8() != kJournalFormat) return Damaged("journal entry (unknown format)");
  std::vector<JournalRr> rrs;
  while (reader.ok() && !reader.empty()) {
    const size_t start = reader.offset();
    if (!SkipUncompressedName(reader)) return Damaged("journal entry");
    auto owner = dns::Name::FromWire(blob.subspan(start, reader.offset() - start));
    if (!owner) return Damaged("journal entry");
    JournalRr& rr = rrs.emplace_back();
    rr.owner = std::move(*owner);
    rr.type = static_cast<dns::RrType>(reader.U16());
    rr.ttl = reader.U32();
    uint16_t length = reader.U16();
    std::span<const uint8_t> bytes = reader.Bytes(length);
    rr.rdata.assign(bytes.begin(), bytes.end());
  }
  if (!reader.ok()) return Damaged("journal entry");
  return rrs;
}

std::span<const uint8_t> OwnerKey(const dns::Name& name, const dns::Name& origin) {
  return name.wire().first(name.size() - origin.size());
}

Result<dns::Name> NameFromOwnerKey(std::span<const uint8_t> key, const dns::Name& origin) {
  if (key.size() + origin.size() > dns::Name::kMaxWire) return Damaged("owner name");
  // The key must be whole labels of 1..63 bytes with no root label.
  for (size_t i = 0; i < key.size();) {
    const size_t length = key[i];
    if (length == 0 || length > dns::Name::kMaxLabel || i + 1 + length > key.size()) {
      return Damaged("owner name");
    }
    i += 1 + length;
  }
  uint8_t wire[dns::Name::kMaxWire];
  if (!key.empty()) std::memcpy(wire, key.data(), key.size());
  std::memcpy(wire + key.size(), origin.wire().data(), origin.size());
  // Validated above, and `origin` is a valid name.
  return dns::Name::FromValidWire({wire, key.size() + origin.size()});
}

}  // namespace tether::store
