#include "zone/answer.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "dns/rdata.h"
#include "zone/node.h"

namespace tether::zone {

using dns::Rcode;
using dns::RrType;
using dns::Writer;

void IndexLabels(Query* query) {
  query->label_count = 0;
  size_t pos = 0;
  while (query->qname[pos] != 0 && query->label_count < Query::kMaxLabels) {
    query->labels[query->label_count++] = static_cast<uint8_t>(pos);
    pos += 1 + query->qname[pos];
  }
}

namespace {

constexpr size_t kQnameOffset = 12;
constexpr int kMaxChain = 12;           // CNAME/DNAME steps followed inside a zone
constexpr int kMaxAdditionalNames = 24;

// RFC 3597 4: only the RFC 1035 types may have their RDATA names compressed.
bool HasCompressibleRdata(RrType type) {
  switch (type) {
    case RrType::kNs:
    case RrType::kCname:
    case RrType::kSoa:
    case RrType::kPtr:
    case RrType::kMx:
    case RrType::kMb:
    case RrType::kMg:
    case RrType::kMr:
    case RrType::kMinfo:
      return true;
    default:
      return false;
  }
}

// Copies a trusted uncompressed wire name (from zone data) in lowercase; returns its size.
size_t CopyNameLower(const uint8_t* name, uint8_t* out) {
  size_t pos = 0;
  while (true) {
    uint8_t len = name[pos];
    out[pos] = len;
    if (len == 0) return pos + 1;
    for (size_t i = 1; i <= len; ++i) out[pos + i] = dns::AsciiLower(name[pos + i]);
    pos += 1 + size_t{len};
  }
}

uint32_t ReadU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// A name being resolved: the question name, or a CNAME/DNAME target inside the zone.
struct Target {
  uint8_t name[255];  // lowercase wire form
  size_t size = 0;
  uint8_t labels[Query::kMaxLabels];
  int label_count = 0;
  int below_origin = 0;   // labels below the zone origin
  bool is_qname = false;  // owners can point into the question

  size_t LabelStart(int i) const { return i < label_count ? labels[i] : size - 1; }
  // The relative name (labels i .. below_origin-1) used as the zone table key.
  const uint8_t* RelName(int i) const { return name + LabelStart(i); }
  size_t RelSize(int i) const { return LabelStart(below_origin) - LabelStart(i); }
};

// How to write an owner name: a pointer into the message, or the name itself.
struct Owner {
  uint16_t pointer = 0;  // 0: write `wire` with compression
  const uint8_t* wire = nullptr;
};

enum class Section { kAnswer, kAuthority, kAdditional };

class Answerer {
 public:
  Answerer(const ZoneSet& zones, const Query& query, Writer& writer)
      : zones_(zones), query_(query), writer_(writer) {}

  AnswerResult Run();

 private:
  void Resolve(const Target& target, int step);
  const NodeData* Lookup(const Target& target, int label, const Node** node_out) const;
  void AnswerFromNode(const Target& target, const NodeData* data, int step);
  void NameError(const Target& target, int encloser_label, int step);
  void Referral(const Target& target, int label, const NodeData* data);
  void Dname(const Target& target, int label, const NodeData* data, int step);
  void Chase(const uint8_t* wire_name, int step);
  void Negative();
  void QueueAdditional(const RrsetView& rrset);
  void WriteAdditional();

  Owner OwnerOf(const Target& target, int label) const;
  bool WriteRrset(Section section, const RrsetView& rrset, const Owner& owner,
                  std::optional<uint32_t> ttl = std::nullopt);
  void Count(Section section, uint16_t n);

  const ZoneSet& zones_;
  const Query& query_;
  Writer& writer_;
  AnswerResult result_;
  const Zone* zone_ = nullptr;
  uint64_t version_ = 0;
  const NodeData* apex_data_ = nullptr;
  uint16_t apex_pointer_ = 0;
  // Names (canonical wire, inside NodeData) whose A/AAAA go to the additional section.
  const uint8_t* additional_[kMaxAdditionalNames];
  int additional_count_ = 0;
  // Names already visited by the chain, to stop CNAME loops.
  uint64_t visited_[kMaxChain + 1];
  int visited_count_ = 0;
};

AnswerResult Answerer::Run() {
  int origin_label = 0;
  zone_ = zones_.FindLongest(query_.qname, query_.qname_size, query_.labels, query_.label_count,
                             &origin_label);
  if (zone_ != nullptr && origin_label == 0 && query_.qtype == RrType::kDs && query_.label_count > 0) {
    // RFC 4035 3.1.4.1: DS lives on the parent side of a cut. If we also serve the parent
    // zone, the DS query for a child apex is answered from there.
    int parent_label = 0;
    const Zone* parent = zones_.FindLongest(query_.qname, query_.qname_size, query_.labels + 1,
                                            query_.label_count - 1, &parent_label);
    if (parent != nullptr) {
      zone_ = parent;
      origin_label = parent_label + 1;
    }
  }
  if (zone_ == nullptr) {
    result_.rcode = Rcode::kRefused;
    return result_;
  }
  zone_->CountQuery(query_.window);
  version_ = zone_->version();
  apex_data_ = zone_->apex()->DataAt(version_);
  if (apex_data_ == nullptr || (apex_data_->flags & kNodeHasSoa) == 0 || zone_->expired()) {
    result_.rcode = Rcode::kServFail;  // a zone without an SOA (or expired) cannot answer
    return result_;
  }
  Target target;
  std::memcpy(target.name, query_.qname, query_.qname_size);
  target.size = query_.qname_size;
  std::memcpy(target.labels, query_.labels, static_cast<size_t>(query_.label_count));
  target.label_count = query_.label_count;
  target.below_origin = origin_label;
  target.is_qname = true;
  visited_[visited_count_++] = HashBytes(target.name, target.size);
  apex_pointer_ = static_cast<uint16_t>(0xC000 | (kQnameOffset + target.LabelStart(origin_label)));
  result_.authoritative = true;
  Resolve(target, 0);
  if (!result_.truncated) WriteAdditional();
  return result_;
}

const NodeData* Answerer::Lookup(const Target& target, int label, const Node** node_out) const {
  const uint8_t* rel = target.RelName(label);
  size_t size = target.RelSize(label);
  const Node* node = zone_->Find(rel, size, size == 0 ? 0 : NodeTable::Hash(rel, size));
  if (node_out != nullptr) *node_out = node;
  if (node == nullptr) return nullptr;
  const NodeData* data = node->DataAt(version_);
  return data != nullptr && data->Exists() ? data : nullptr;
}

void Answerer::Resolve(const Target& target, int step) {
  const int below = target.below_origin;
  // RFC 1034 4.3.2 step 3: walk down from the apex. A zone cut or a DNAME (RFC 6672) above
  // the name takes precedence; the deepest existing ancestor is the closest encloser.
  if (below > 0 && (apex_data_->flags & kNodeHasDname) != 0) {
    Dname(target, below, apex_data_, step);
    return;
  }
  int encloser = below;
  for (int label = below - 1; label >= 1; --label) {
    const NodeData* data = Lookup(target, label, nullptr);
    if (data == nullptr) {
      NameError(target, encloser, step);
      return;
    }
    if ((data->flags & kNodeHasNs) != 0) {
      Referral(target, label, data);
      return;
    }
    if ((data->flags & kNodeHasDname) != 0) {
      Dname(target, label, data, step);
      return;
    }
    encloser = label;
  }
  const Node* node = zone_->apex();
  const NodeData* data = below == 0 ? apex_data_ : Lookup(target, 0, &node);
  if (data == nullptr) {
    NameError(target, encloser, step);
    return;
  }
  if (step == 0) {
    node->CountQuery(query_.window);
    result_.watched = (node->state.load(std::memory_order_relaxed) & kNodeStateLogQueries) != 0;
  }
  // At a delegation point only DS is answered from this (the parent) side (RFC 4035 3.1.4.1).
  if (below > 0 && (data->flags & kNodeHasNs) != 0 && query_.qtype != RrType::kDs) {
    Referral(target, 0, data);
    return;
  }
  AnswerFromNode(target, data, step);
}

void Answerer::NameError(const Target& target, int encloser_label, int step) {
  // RFC 4592 3.3.1: the source of synthesis is "*." + the closest encloser.
  uint8_t wildcard[255];
  size_t rel_size = target.RelSize(encloser_label);
  if (rel_size + 2 <= sizeof(wildcard) - 1) {
    wildcard[0] = 1;
    wildcard[1] = '*';
    std::memcpy(wildcard + 2, target.RelName(encloser_label), rel_size);
    const Node* node = zone_->Find(wildcard, rel_size + 2, NodeTable::Hash(wildcard, rel_size + 2));
    const NodeData* data = node != nullptr ? node->DataAt(version_) : nullptr;
    if (data != nullptr && data->Exists()) {
      if (step == 0) node->CountQuery(query_.window);
      AnswerFromNode(target, data, step);
      return;
    }
  }
  result_.rcode = Rcode::kNxDomain;  // RFC 6604: the rcode of the last name in a chain
  Negative();
}

void Answerer::AnswerFromNode(const Target& target, const NodeData* data, int step) {
  Owner owner = OwnerOf(target, 0);
  if (query_.qtype == RrType::kAny) {
    if (data->rrset_count == 0) {
      Negative();
      return;
    }
    // RFC 8482 4.1: over UDP, answer with one RRset; over TCP, with all of them.
    ForEachRrset(data, [&](const RrsetView& rrset) {
      if (query_.tcp || result_.answer_count == 0) WriteRrset(Section::kAnswer, rrset, owner);
    });
    return;
  }
  RrsetView rrset = FindRrset(data, query_.qtype);
  if (rrset.valid()) {
    if (WriteRrset(Section::kAnswer, rrset, owner)) QueueAdditional(rrset);
    return;
  }
  if ((data->flags & kNodeHasCname) != 0 && query_.qtype != RrType::kCname) {
    RrsetView cname = FindRrset(data, RrType::kCname);
    if (!WriteRrset(Section::kAnswer, cname, owner)) return;
    const uint8_t* record = cname.wire().data();
    Chase(record + kRecordFixedSize, step + 1);
    return;
  }
  Negative();  // NODATA
}

void Answerer::Chase(const uint8_t* wire_name, int step) {
  if (step > kMaxChain) return;
  Target next;
  next.size = CopyNameLower(wire_name, next.name);
  // Only names inside this zone are followed; otherwise the resolver continues the chain.
  auto origin = zone_->origin().wire();
  if (next.size < origin.size() ||
      std::memcmp(next.name + next.size - origin.size(), origin.data(), origin.size()) != 0) {
    return;
  }
  Query labels_holder;
  std::memcpy(labels_holder.qname, next.name, next.size);
  IndexLabels(&labels_holder);
  std::memcpy(next.labels, labels_holder.labels, static_cast<size_t>(labels_holder.label_count));
  next.label_count = labels_holder.label_count;
  next.below_origin = next.label_count - zone_->origin().LabelCount();
  if (next.below_origin < 0 || next.LabelStart(next.below_origin) != next.size - origin.size()) return;
  // A loop ends the chain (the records so far are the answer).
  uint64_t hash = HashBytes(next.name, next.size);
  if (std::find(visited_, visited_ + visited_count_, hash) != visited_ + visited_count_) return;
  if (visited_count_ < kMaxChain + 1) visited_[visited_count_++] = hash;
  Resolve(next, step);
}

void Answerer::Dname(const Target& target, int label, const NodeData* data, int step) {
  RrsetView dname = FindRrset(data, RrType::kDname);
  if (!WriteRrset(Section::kAnswer, dname, OwnerOf(target, label))) return;
  // RFC 6672 2.2: synthesise a CNAME from the query name with the DNAME owner replaced.
  const uint8_t* record = dname.wire().data();
  size_t rdlength = (size_t{record[10]} << 8) | record[11];
  const uint8_t* dname_target = record + kRecordFixedSize;
  size_t prefix = target.LabelStart(label);
  if (prefix + rdlength > dns::Name::kMaxWire) {
    result_.rcode = Rcode::kYxDomain;
    return;
  }
  uint8_t synthesized[dns::Name::kMaxWire];
  std::memcpy(synthesized, target.name, prefix);
  std::memcpy(synthesized + prefix, dname_target, rdlength);
  Writer::Mark mark = writer_.GetMark();
  Owner owner = OwnerOf(target, 0);
  if (owner.pointer != 0) {
    writer_.NamePointer(owner.pointer & 0x3FFF);
  } else {
    writer_.Name({owner.wire, dns::Name::kMaxWire}, true);
  }
  writer_.U16(dns::ToU16(RrType::kCname));
  writer_.U16(dns::ToU16(dns::RrClass::kIn));
  writer_.U32(dname.ttl());
  size_t rdlength_at = writer_.size();
  writer_.U16(0);
  writer_.Name({synthesized, prefix + rdlength}, true);
  if (!writer_.ok()) {
    writer_.Rewind(mark);
    result_.truncated = true;
    return;
  }
  writer_.PatchU16(rdlength_at, static_cast<uint16_t>(writer_.size() - rdlength_at - 2));
  Count(Section::kAnswer, 1);
  if (query_.qtype != RrType::kCname) Chase(synthesized, step + 1);
}

void Answerer::Referral(const Target& target, int label, const NodeData* data) {
  if (result_.answer_count == 0) result_.authoritative = false;
  RrsetView ns = FindRrset(data, RrType::kNs);
  if (WriteRrset(Section::kAuthority, ns, OwnerOf(target, label))) QueueAdditional(ns);
}

void Answerer::Negative() {
  // RFC 2308 3: the SOA's TTL in a negative answer is min(SOA TTL, SOA MINIMUM).
  RrsetView soa = FindRrset(apex_data_, RrType::kSoa);
  const uint8_t* record = soa.wire().data();
  size_t rdlength = (size_t{record[10]} << 8) | record[11];
  uint32_t minimum = ReadU32(record + kRecordFixedSize + rdlength - 4);
  WriteRrset(Section::kAuthority, soa, Owner{apex_pointer_, nullptr}, std::min(soa.ttl(), minimum));
}

void Answerer::QueueAdditional(const RrsetView& rrset) {
  RrType type = rrset.type();
  if (type != RrType::kNs && type != RrType::kMx && type != RrType::kSrv) return;
  rrset.ForEachRecord([&](std::span<const uint8_t> record) {
    auto rdata = record.subspan(kRecordFixedSize);
    int offset = dns::AdditionalNameOffset(type, rdata);
    if (offset < 0 || additional_count_ >= kMaxAdditionalNames) return;
    additional_[additional_count_++] = rdata.data() + offset;
  });
}

void Answerer::WriteAdditional() {
  auto origin = zone_->origin().wire();
  for (int i = 0; i < additional_count_; ++i) {
    uint8_t name[dns::Name::kMaxWire];
    size_t size = CopyNameLower(additional_[i], name);
    if (size < origin.size() ||
        std::memcmp(name + size - origin.size(), origin.data(), origin.size()) != 0) {
      continue;  // only names inside this zone
    }
    bool duplicate = false;
    for (int j = 0; j < i && !duplicate; ++j) {
      uint8_t other[dns::Name::kMaxWire];
      size_t other_size = CopyNameLower(additional_[j], other);
      duplicate = other_size == size && std::memcmp(other, name, size) == 0;
    }
    if (duplicate) continue;
    size_t rel_size = size - origin.size();
    const Node* node = rel_size == 0 ? zone_->apex() : zone_->Find(name, rel_size, NodeTable::Hash(name, rel_size));
    const NodeData* data = node != nullptr ? node->DataAt(version_) : nullptr;
    if (data == nullptr) continue;
    Owner owner{0, additional_[i]};
    for (RrType type : {RrType::kA, RrType::kAaaa}) {
      RrsetView rrset = FindRrset(data, type);
      if (rrset.valid()) WriteRrset(Section::kAdditional, rrset, owner);
    }
  }
}

Owner Answerer::OwnerOf(const Target& target, int label) const {
  if (target.is_qname) {
    return Owner{static_cast<uint16_t>(0xC000 | (kQnameOffset + target.LabelStart(label))), nullptr};
  }
  return Owner{0, target.name + target.LabelStart(label)};
}

bool Answerer::WriteRrset(Section section, const RrsetView& rrset, const Owner& owner,
                          std::optional<uint32_t> ttl) {
  if (result_.truncated) return false;
  const RrType type = rrset.type();
  const bool compress_rdata = HasCompressibleRdata(type);
  Writer::Mark mark = writer_.GetMark();
  if (owner.pointer == (0xC000 | kQnameOffset) && !ttl && !compress_rdata) {
    writer_.Bytes(rrset.wire());  // pre-encoded with the owner pointing at the question
  } else {
    uint16_t owner_pointer = owner.pointer;
    rrset.ForEachRecord([&](std::span<const uint8_t> record) {
      if (owner_pointer != 0) {
        writer_.U16(owner_pointer);
      } else {
        size_t at = writer_.size();
        writer_.Name({owner.wire, dns::Name::kMaxWire}, true);
        if (writer_.ok()) {
          const uint8_t* written = writer_.data() + at;
          if ((written[0] & 0xC0) == 0xC0) {
            owner_pointer = static_cast<uint16_t>((written[0] << 8) | written[1]);
          } else if (at < 0x4000) {
            owner_pointer = static_cast<uint16_t>(0xC000 | at);
          }
        }
      }
      writer_.Bytes(record.subspan(2, 4));  // type, class
      if (ttl) {
        writer_.U32(*ttl);
      } else {
        writer_.Bytes(record.subspan(6, 4));
      }
      if (compress_rdata) {
        dns::WriteRdata(writer_, type, record.subspan(kRecordFixedSize));
      } else {
        writer_.Bytes(record.subspan(10));  // RDLENGTH and RDATA
      }
    });
  }
  if (!writer_.ok()) {
    writer_.Rewind(mark);
    // RFC 2181 9: TC only when required data is missing, not for the additional section.
    if (section != Section::kAdditional) result_.truncated = true;
    return false;
  }
  Count(section, rrset.count());
  return true;
}

void Answerer::Count(Section section, uint16_t n) {
  switch (section) {
    case Section::kAnswer:
      result_.answer_count = static_cast<uint16_t>(result_.answer_count + n);
      break;
    case Section::kAuthority:
      result_.authority_count = static_cast<uint16_t>(result_.authority_count + n);
      break;
    case Section::kAdditional:
      result_.additional_count = static_cast<uint16_t>(result_.additional_count + n);
      break;
  }
}

}  // namespace

AnswerResult AnswerQuery(const ZoneSet& zones, const Query& query, Writer& writer) {
  Answerer answerer(zones, query, writer);
  return answerer.Run();
}

}  // namespace tether::zone
