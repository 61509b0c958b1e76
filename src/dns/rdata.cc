// The wire side of dns/rdata.h: validation, decompression of received RDATA, writing into
// messages with compression, and canonical form. The presentation side is rdata_text.cc;
// both walk the descriptors of rdata_descriptor.cc.
#include "dns/rdata.h"

#include <algorithm>

#include "dns/rdata_descriptor.h"

namespace tether::dns {
namespace {

constexpr size_t kMaxRdata = 65535;

bool IsDecompressible(FieldKind kind) {
  return kind == FieldKind::kCompressedName || kind == FieldKind::kDecompressedName;
}

// RFC 4034 6.2 as corrected by RFC 6840 5.1 (NSEC and RRSIG are no longer on the list):
// the types whose embedded names are lowercased in canonical form.
bool HasCanonicalLowercaseNames(RrType type) {
  switch (static_cast<uint16_t>(type)) {
    case 2:   // NS
    case 3:   // MD
    case 4:   // MF
    case 5:   // CNAME
    case 6:   // SOA
    case 7:   // MB
    case 8:   // MG
    case 9:   // MR
    case 12:  // PTR
    case 14:  // MINFO
    case 15:  // MX
    case 17:  // RP
    case 18:  // AFSDB
    case 21:  // RT
    case 24:  // SIG
    case 26:  // PX
    case 33:  // SRV
    case 35:  // NAPTR
    case 36:  // KX
    case 39:  // DNAME
      return true;
    default:
      return false;
  }
}

}  // namespace

Status ValidateRdata(RrType type, std::span<const uint8_t> rdata) {
  if (rdata.size() > kMaxRdata) return InvalidArgument("RDATA longer than 65535 bytes");
  const Descriptor* descriptor = FindDescriptor(type);
  if (descriptor == nullptr) return Ok();  // RFC 3597: opaque
  Reader reader(rdata);
  for (const auto& field : descriptor->fields) {
    if (!SkipField(field.kind, reader)) {
      return InvalidArgument("malformed {} in {} RDATA", field.name, RrTypeToString(type));
    }
  }
  if (!reader.empty()) return InvalidArgument("trailing bytes in {} RDATA", RrTypeToString(type));
  return Ok();
}

Result<std::vector<uint8_t>> RdataFromWire(RrType type, Reader rdata) {
  if (!rdata.ok()) return InvalidArgument("truncated {} RDATA", RrTypeToString(type));
  const Descriptor* descriptor = FindDescriptor(type);
  bool decompress =
      descriptor != nullptr &&
      std::any_of(descriptor->fields.begin(), descriptor->fields.end(),
                  [](const FieldSpec& field) { return IsDecompressible(field.kind); });
  if (!decompress) {
    auto bytes = rdata.Rest();
    RETURN_IF_ERROR(ValidateRdata(type, bytes));
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
  }
  std::vector<uint8_t> out;
  out.reserve(rdata.remaining() + Name::kMaxWire);
  for (const auto& field : descriptor->fields) {
    if (IsDecompressible(field.kind)) {
      // RFC 3597 4: these may point anywhere earlier in the message (rdata.message()).
      uint8_t name[Name::kMaxWire];
      size_t length = ReadName(rdata, name);
      if (length == 0) {
        return InvalidArgument("malformed {} in {} RDATA", field.name, RrTypeToString(type));
      }
      out.insert(out.end(), name, name + length);
      continue;
    }
    const uint8_t* start = rdata.position();
    if (!SkipField(field.kind, rdata)) {
      return InvalidArgument("malformed {} in {} RDATA", field.name, RrTypeToString(type));
    }
    out.insert(out.end(), start, rdata.position());
  }
  if (!rdata.empty()) return InvalidArgument("trailing bytes in {} RDATA", RrTypeToString(type));
  if (out.size() > kMaxRdata) return InvalidArgument("RDATA longer than 65535 bytes");
  return out;
}

void WriteRdata(Writer& writer, RrType type, std::span<const uint8_t> rdata) {
  size_t length_offset = writer.size();
  writer.U16(static_cast<uint16_t>(rdata.size()));
  // The query path: everything but the RFC 1035 types is a plain copy.
  if (!HasCompressedNames(type)) {
    writer.Bytes(rdata);
    return;
  }
  if (!writer.ok()) return;
  Writer::Mark mark = writer.GetMark();
  Reader reader(rdata);
  for (const auto& field : FindDescriptor(type)->fields) {
    const uint8_t* start = reader.position();
    if (field.kind == FieldKind::kCompressedName) {
      auto name = ReadUncompressedName(reader);
      if (!reader.ok()) break;
      writer.Name(name, /*compress=*/true);
    } else if (SkipField(field.kind, reader)) {
      writer.Bytes({start, reader.position()});
    }
  }
  if (!reader.ok() || !reader.empty()) {
    // Not canonical RDATA (a broken REQUIRES): fall back to a verbatim copy.
    writer.Rewind(mark);
    writer.Bytes(rdata);
    return;
  }
  writer.PatchU16(length_offset, static_cast<uint16_t>(writer.size() - length_offset - 2));
}

int AdditionalNameOffset(RrType type, std::span<const uint8_t> rdata) {
  size_t offset = 0;
  switch (type) {
    case RrType::kNs:  // RFC 1035 3.3.11
      offset = 0;
      break;
    case RrType::kMx:  // RFC 1035 3.3.9
      offset = 2;
      break;
    case RrType::kSrv:  // RFC 2782: priority, weight, port, target
      offset = 6;
      break;
    default:
      return -1;
  }
  return rdata.size() > offset ? static_cast<int>(offset) : -1;
}

void CanonicalizeRdata(RrType type, std::vector<uint8_t>* rdata) {
  if (!HasCanonicalLowercaseNames(type)) return;
  const Descriptor* descriptor = FindDescriptor(type);
  if (descriptor == nullptr) return;
  Reader reader(*rdata);
  for (const auto& field : descriptor->fields) {
    if (!IsNameKind(field.kind)) {
      if (!SkipField(field.kind, reader)) return;
      continue;
    }
    auto name = ReadUncompressedName(reader);
    if (!reader.ok()) return;
    auto offset = static_cast<size_t>(name.data() - rdata->data());
    for (size_t pos = offset; (*rdata)[pos] != 0; pos += 1 + (*rdata)[pos]) {
      for (size_t i = pos + 1; i <= pos + (*rdata)[pos]; ++i) (*rdata)[i] = AsciiLower((*rdata)[i]);
    }
  }
}

}  // namespace tether::dns
