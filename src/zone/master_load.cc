// Loading a master file as a zone: records grouped into one NameUpdate per owner, and the
// checks that make the result a usable zone (see LoadZoneUpdates in master_file.h).
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "zone/master_file.h"
#include "zone/master_reader.h"

namespace tether::zone {
namespace {

std::string_view WireView(const dns::Name& name) {
  return {reinterpret_cast<const char*>(name.wire().data()), name.size()};
}

// An open-addressing map from a lowercase wire name to the value holding that name. A
// node-based std::unordered_map spent most of a million-name load in cache misses and in
// freeing its nodes; this keeps the full hash next to the pointer so that a probe touches
// the value only on a likely match. `Key(value)` must return the wire name of `value`,
// which must not change while the value is in the map.
template <class T, std::string_view (*Key)(const T&)>
class NameIndex {
 public:
  T* Find(std::string_view key, uint64_t hash) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.value == nullptr) return nullptr;
      if (slot.hash == hash && Key(*slot.value) == key) return slot.value;
    }
  }
  // REQUIRES: no value with the same key is in the map.
  void Insert(T* value, uint64_t hash) {
    if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
    Place(value, hash);
    ++size_;
  }

  static uint64_t Hash(std::string_view key) {
    return HashBytes(reinterpret_cast<const uint8_t*>(key.data()), key.size());
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    T* value = nullptr;
  };
  void Place(T* value, uint64_t hash) {
    size_t i = hash & mask_;
    while (slots_[i].value != nullptr) i = (i + 1) & mask_;
    slots_[i] = Slot{hash, value};
  }
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.value != nullptr) Place(slot.value, slot.hash);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Groups records by owner and type, checking each record as it arrives so that errors
// name the record's file and line. Linear in the number of records: owners are found
// through a hash map keyed by the lowercase wire name.
class ZoneBuilder {
 public:
  explicit ZoneBuilder(const dns::Name& origin) : origin_(origin.Lowercased()) {}

  Status Add(MasterRecord&& record, const MasterLocation& at);
  Result<std::vector<NameUpdate>> Finish(std::string_view source);

 private:
  struct Group {
    NameUpdate update;
    bool has_cname = false;
    bool has_dname = false;
    uint32_t source = 0;  // index into sources_ of the group's first record
    size_t line = 0;
  };

  static std::string_view GroupKey(const Group& group) { return WireView(group.update.name); }
  Group* Find(std::string_view wire) const { return index_.Find(wire, Index::Hash(wire)); }

  uint32_t SourceIndex(std::string_view source);
  Status CheckDnameDescendants();

  using Index = NameIndex<Group, &GroupKey>;
  const dns::Name origin_;
  // Deque: groups never move, so the index can point at them.
  std::deque<Group> groups_;
  Index index_;
  std::vector<std::string> sources_;
  bool any_dname_ = false;
};

uint32_t ZoneBuilder::SourceIndex(std::string_view source) {
  if (!sources_.empty() && sources_.back() == source)
    return static_cast<uint32_t>(sources_.size() - 1);
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (sources_[i] == source) return static_cast<uint32_t>(i);
  }
  sources_.emplace_back(source);
  return static_cast<uint32_t>(sources_.size() - 1);
}

Status ZoneBuilder::Add(MasterRecord&& record, const MasterLocation& at) {
  if (record.klass != 1) {
    return LocatedError(at.source, at.line,
                        fmt::format("class {} in a zone of class IN",
                                    dns::RrClassToString(static_cast<dns::RrClass>(record.klass))));
  }
  record.owner.Lowercase();
  if (!record.owner.IsSubdomainOf(origin_)) {
    return LocatedError(
        at.source, at.line,
        fmt::format("name outside zone {} ({})", origin_.ToText(), record.owner.ToText()));
  }
  const bool at_apex = record.owner.size() == origin_.size();
  if (record.type == dns::RrType::kSoa && !at_apex) {
    return LocatedError(at.source, at.line,
                        fmt::format("SOA record at {}, not at the zone apex {}",
                                    record.owner.ToText(), origin_.ToText()));
  }

  const uint64_t hash = Index::Hash(WireView(record.owner));
  Group* group = index_.Find(WireView(record.owner), hash);
  if (group == nullptr) {
    group = &groups_.emplace_back();
    group->update.name = std::move(record.owner);
    group->source = SourceIndex(at.source);
    group->line = at.line;
    index_.Insert(group, hash);
  }
  auto conflict = [&](std::string_view what) {
    return LocatedError(at.source, at.line,
                        fmt::format("{} at {}", what, group->update.name.ToText()));
  };

  std::vector<Rrset>& rrsets = group->update.rrsets;
  // RFC 2181 10.1: a CNAME owner has no other data; RFC 1034 3.6.2 and RFC 6672 2.4: at
  // most one CNAME or DNAME record per owner.
  if (record.type == dns::RrType::kCname ? !rrsets.empty() && !group->has_cname
                                         : group->has_cname) {
    return conflict("CNAME and other data");
  }
  Rrset* rrset = nullptr;
  for (auto& existing : rrsets) {
    if (existing.type == record.type) {
      rrset = &existing;
      break;
    }
  }
  if (rrset == nullptr) {
    rrset = &rrsets.emplace_back();
    rrset->type = record.type;
    rrset->ttl = record.ttl;  // the first record's TTL is the RRset's
  } else if (record.type == dns::RrType::kSoa) {
    return conflict("more than one SOA record");
  } else if ((record.type == dns::RrType::kCname || record.type == dns::RrType::kDname) &&
             rrset->rdatas.front() != record.rdata) {
    return conflict(fmt::format("more than one {} record", dns::RrTypeToString(record.type)));
  }
  if (record.type == dns::RrType::kCname) group->has_cname = true;
  if (record.type == dns::RrType::kDname) group->has_dname = any_dname_ = true;
  rrset->rdatas.push_back(std::move(record.rdata));
  return Ok();
}

// RFC 6672 2.4: no names below a DNAME's owner (they could never be reached).
Status ZoneBuilder::CheckDnameDescendants() {
  const size_t origin_size = origin_.size();
  for (const Group& group : groups_) {
    const std::string_view wire = WireView(group.update.name);
    // Each proper ancestor down to the apex is a suffix of the wire form.
    size_t pos = 0;
    while (wire.size() - pos > origin_size) {
      pos += 1 + static_cast<uint8_t>(wire[pos]);
      const Group* ancestor = Find(wire.substr(pos));
      if (ancestor != nullptr && ancestor->has_dname) {
        return LocatedError(sources_[group.source], group.line,
                            fmt::format("{} is below the DNAME at {}", group.update.name.ToText(),
                                        ancestor->update.name.ToText()));
      }
    }
  }
  return Ok();
}

Result<std::vector<NameUpdate>> ZoneBuilder::Finish(std::string_view source) {
  const Group* apex = Find(WireView(origin_));
  bool has_soa = false;
  bool has_ns = false;
  if (apex != nullptr) {
    for (const auto& rrset : apex->update.rrsets) {
      has_soa |= rrset.type == dns::RrType::kSoa;
      has_ns |= rrset.type == dns::RrType::kNs;
    }
  }
  // RFC 1035 5.2: exactly one SOA at the top of the zone (more than one was refused as it
  // was read), and RFC 1034 4.2.1: the apex NS RRset.
  if (!has_soa)
    return InvalidArgument("{}: no SOA record at zone apex {}", source, origin_.ToText());
  if (!has_ns)
    return InvalidArgument("{}: no NS records at zone apex {}", source, origin_.ToText());
  if (any_dname_) RETURN_IF_ERROR(CheckDnameDescendants());

  std::vector<NameUpdate> updates;
  updates.reserve(groups_.size());
  for (Group& group : groups_) {
    NormalizeRrsets(&group.update.rrsets);  // types are unique per group by construction
    updates.push_back(std::move(group.update));
  }
  return updates;
}

Result<std::vector<NameUpdate>> LoadLocated(const dns::Name& origin, std::string_view source,
                                            const std::function<Status(const LocatedSink&)>& read) {
  ZoneBuilder builder(origin);
  RETURN_IF_ERROR(read([&](MasterRecord&& record, const MasterLocation& at) {
    return builder.Add(std::move(record), at);
  }));
  return builder.Finish(source);
}

MasterFileOptions ZoneOptions(const dns::Name& origin) {
  MasterFileOptions options;
  options.origin = origin;
  return options;
}

}  // namespace

Result<std::vector<NameUpdate>> LoadZoneUpdatesFromText(std::string_view text,
                                                        std::string_view source_name,
                                                        const MasterFileOptions& options) {
  return LoadLocated(options.origin, source_name, [&](const LocatedSink& sink) {
    return ReadMasterTextLocated(text, source_name, options, sink);
  });
}

Result<std::vector<NameUpdate>> LoadZoneUpdates(const std::string& path, const dns::Name& origin) {
  const MasterFileOptions options = ZoneOptions(origin);
  return LoadLocated(origin, path, [&](const LocatedSink& sink) {
    return ReadMasterFileLocated(path, options, sink);
  });
}

Result<std::shared_ptr<Zone>> LoadZoneFile(const std::string& path, const dns::Name& origin) {
  ASSIGN_OR_RETURN(std::vector<NameUpdate> updates, LoadZoneUpdates(path, origin));
  auto zone = std::make_shared<Zone>(origin.Lowercased());
  Status applied = zone->Apply(std::move(updates));
  if (!applied) {
    return InvalidArgument("{}: {}", path, applied.error().message);
  }
  return zone;
}

}  // namespace tether::zone
