// Zone, key and grant administration of the Writer (writer.h).
#include <algorithm>
#include <cstring>
#include <deque>
#include <numeric>

#include "store/blob_codec.h"
#include "store/serial.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/writer.h"

namespace tether::store::sqlite {

namespace {

bool IsLowercase(const dns::Name& name) {
  return std::none_of(name.wire().begin(), name.wire().end(),
                      [](uint8_t c) { return c >= 'A' && c <= 'Z'; });
}

constexpr size_t kProgressEvery = 65536;

}  // namespace

Result<ZoneInfo> Writer::CreateZone(const dns::Name& origin_in, SerialPolicy policy,
                                    const std::vector<zone::NameUpdate>& names,
                                    const std::function<void(size_t, size_t)>& progress) {
  const dns::Name origin = origin_in.Lowercased();
  ASSIGN_OR_RETURN(std::optional<int64_t> existing, ZoneIdByOrigin(origin));
  if (existing) {
    return MakeError(ErrorCode::kAlreadyExists, "zone " + origin.ToText() + " already exists");
  }

  // Check every name, and find the owner key of each. Names and RRsets are copied only if
  // they are not already lowercase / normalised.
  std::deque<dns::Name> lowered;
  std::deque<std::vector<zone::Rrset>> normalized;
  std::vector<std::span<const uint8_t>> keys(names.size());
  std::vector<const std::vector<zone::Rrset>*> contents(names.size());
  const std::vector<zone::Rrset>* apex = nullptr;
  for (size_t i = 0; i < names.size(); ++i) {
    const dns::Name* name = &names[i].name;
    if (!IsLowercase(*name)) name = &lowered.emplace_back(name->Lowercased());
    if (!name->IsSubdomainOf(origin)) {
      return InvalidArgument("{} is outside zone {}", name->ToText(), origin.ToText());
    }
    contents[i] = &names[i].rrsets;
    if (!IsNormalized(names[i].rrsets)) {
      std::vector<zone::Rrset>& copy = normalized.emplace_back(names[i].rrsets);
      if (!zone::NormalizeRrsets(&copy)) {
        return InvalidArgument("two RRsets of one type at {}", name->ToText());
      }
      contents[i] = &copy;
    }
    RETURN_IF_ERROR(CheckRrsetSizes(*name, *contents[i]));
    keys[i] = OwnerKey(*name, origin);
    if (keys[i].empty()) apex = contents[i];
  }
  if (apex == nullptr) return InvalidArgument("zone {} has no apex SOA", origin.ToText());
  auto soa = std::find_if(apex->begin(), apex->end(),
                          [](const zone::Rrset& r) { return r.type == dns::RrType::kSoa; });
  auto ns = std::find_if(apex->begin(), apex->end(),
                         [](const zone::Rrset& r) { return r.type == dns::RrType::kNs; });
  if (soa == apex->end() || soa->rdatas.size() != 1) {
    return InvalidArgument("zone {} needs exactly one apex SOA record", origin.ToText());
  }
  if (ns == apex->end()) return InvalidArgument("zone {} has no apex NS", origin.ToText());
  ASSIGN_OR_RETURN(uint32_t serial, SoaSerial(soa->rdatas.front()));

  // Insert in key order: appending to the B-tree writes each page once, where random order
  // splits and rewrites pages all over the table.
  std::vector<uint32_t> order(names.size());
  std::iota(order.begin(), order.end(), 0u);
  // memcmp order, as SQLite compares BLOBs.
  auto key_less = [&](uint32_t a, uint32_t b) {
    const size_t common = std::min(keys[a].size(), keys[b].size());
    const int cmp = common == 0 ? 0 : std::memcmp(keys[a].data(), keys[b].data(), common);
    return cmp != 0 ? cmp < 0 : keys[a].size() < keys[b].size();
  };
  std::sort(order.begin(), order.end(), key_less);
  for (size_t i = 1; i < order.size(); ++i) {
    if (!key_less(order[i - 1], order[i])) {
      return InvalidArgument("{} is given twice", names[order[i]].name.ToText());
    }
  }

  ZoneInfo info;
  info.origin = origin;
  info.serial_policy = policy;
  info.serial = serial;
  {
    EncodeRrsets({*soa}, &buffer_);
    ResetOnExit reset(s_.insert_zone);
    s_.insert_zone.BindStatic(1, origin.wire());
    s_.insert_zone.BindText(2, SerialPolicyName(policy));
    s_.insert_zone.Bind(3, int64_t{serial});
    s_.insert_zone.BindStatic(4, buffer_);
    RETURN_IF_ERROR(s_.insert_zone.Run());
    info.id = db_.LastInsertRowid();
  }
  if (progress) progress(0, names.size());
  for (size_t i = 0; i < order.size(); ++i) {
    if (progress && i > 0 && i % kProgressEvery == 0) progress(i, names.size());
    const uint32_t index = order[i];
    if (contents[index]->empty()) continue;  // a name without data is no row
    EncodeRrsets(*contents[index], &buffer_);
    ResetOnExit reset(s_.insert_name);
    s_.insert_name.Bind(1, info.id);
    s_.insert_name.BindStatic(2, keys[index]);
    s_.insert_name.BindStatic(3, buffer_);
    RETURN_IF_ERROR(s_.insert_name.Run());
  }
  if (progress) progress(names.size(), names.size());
  return info;
}

Result<bool> Writer::DeleteZone(const dns::Name& origin) {
  ASSIGN_OR_RETURN(std::optional<int64_t> id, ZoneIdByOrigin(origin.Lowercased()));
  if (!id) return false;
  ForgetFold(*id);
  // Children first (the foreign keys would cascade, but one range delete per table by
  // primary key is the cheap way to drop millions of names).
  for (const char* sql :
       {"DELETE FROM names WHERE zone_id = ?1", "DELETE FROM journal WHERE zone_id = ?1",
        "DELETE FROM grants WHERE zone_id = ?1", "DELETE FROM zones WHERE id = ?1"}) {
    ASSIGN_OR_RETURN(Statement statement, db_.Prepare(sql));
    statement.Bind(1, *id);
    RETURN_IF_ERROR(statement.Run());
  }
  RETURN_IF_ERROR(PurgeHistory());  // of the zone's hosts, which the last delete removed
  return true;
}

Status Writer::PurgeHistory() {
  // Every queued chain, newest to oldest, walked as ReadHistory walks one: it ends at the
  // host's first entry, or where retention cut it (ids fall along a chain and stay the
  // host's).
  RETURN_IF_ERROR(db_.Exec(
      "WITH RECURSIVE chain(host_id, id) AS ("
      " SELECT host_id, head FROM history_purge"
      " UNION ALL"
      " SELECT h.host_id, h.prev FROM chain JOIN history h ON h.id = chain.id AND h.host_id = chain.host_id"
      " WHERE h.prev < h.id) "
      "DELETE FROM history WHERE (id, host_id) IN (SELECT id, host_id FROM chain)"));
  RETURN_IF_ERROR(db_.Exec("DELETE FROM history_purge"));
  if (db_.Changes() > 0) history_heads_.clear();  // removals are rare: all of it
  return Ok();
}

Status Writer::SetAllowUpdate(int64_t zone_id, const std::vector<std::string>& cidrs) {
  ASSIGN_OR_RETURN(std::string text, JoinCidrs(cidrs));
  ASSIGN_OR_RETURN(Statement statement,
                   db_.Prepare("UPDATE zones SET allow_update = ?2 WHERE id = ?1"));
  statement.Bind(1, zone_id);
  statement.BindText(2, text);
  RETURN_IF_ERROR(statement.Run());
  if (db_.Changes() == 0) return NotFound("no zone with id {}", zone_id);
  return Ok();
}

Status Writer::AddKey(const TsigKeyInfo& key) {
  const dns::Name name = key.name.Lowercased();
  if (key.algorithm.empty()) return InvalidArgument("key {} has no algorithm", name.ToText());
  ASSIGN_OR_RETURN(Statement exists, db_.Prepare("SELECT 1 FROM keys WHERE name = ?1"));
  exists.BindStatic(1, name.wire());
  ASSIGN_OR_RETURN(bool found, exists.Step());
  if (found)
    return MakeError(ErrorCode::kAlreadyExists, "key " + name.ToText() + " already exists");
  ASSIGN_OR_RETURN(Statement insert,
                   db_.Prepare("INSERT INTO keys(name, algorithm, secret) VALUES(?1, ?2, ?3)"));
  insert.BindStatic(1, name.wire());
  insert.BindText(2, key.algorithm);
  insert.BindStatic(3, key.secret);
  RETURN_IF_ERROR(insert.Run());
  for (const auto& grant : key.grants) RETURN_IF_ERROR(AddGrant(name, grant));
  return Ok();
}

Result<bool> Writer::RemoveKey(const dns::Name& name_in) {
  const dns::Name name = name_in.Lowercased();
  ASSIGN_OR_RETURN(Statement grants, db_.Prepare("DELETE FROM grants WHERE key_name = ?1"));
  grants.BindStatic(1, name.wire());
  RETURN_IF_ERROR(grants.Run());
  ASSIGN_OR_RETURN(Statement key, db_.Prepare("DELETE FROM keys WHERE name = ?1"));
  key.BindStatic(1, name.wire());
  RETURN_IF_ERROR(key.Run());
  return db_.Changes() > 0;
}

Status Writer::AddGrant(const dns::Name& key_in, const KeyGrant& grant) {
  const dns::Name key = key_in.Lowercased();
  const dns::Name zone = grant.zone.Lowercased();
  ASSIGN_OR_RETURN(Statement exists, db_.Prepare("SELECT 1 FROM keys WHERE name = ?1"));
  exists.BindStatic(1, key.wire());
  ASSIGN_OR_RETURN(bool found, exists.Step());
  if (!found) return NotFound("no key {}", key.ToText());
  ASSIGN_OR_RETURN(std::optional<int64_t> zone_id, ZoneIdByOrigin(zone));
  if (!zone_id) return NotFound("no zone {}", zone.ToText());
  dns::Name name;  // the root stands for "no name" (kZone), stored as ''
  if (grant.scope != GrantScope::kZone) {
    name = grant.name.Lowercased();
    if (!name.IsSubdomainOf(zone)) {
      return InvalidArgument("{} is not in zone {}", name.ToText(), zone.ToText());
    }
  }
  // Granting the same thing twice is not an error: the key can do what was asked.
  ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare("INSERT OR IGNORE INTO grants(key_name, zone_id, scope, name, types) "
                  "VALUES(?1, ?2, ?3, ?4, ?5)"));
  insert.BindStatic(1, key.wire());
  insert.Bind(2, *zone_id);
  insert.BindText(3, GrantScopeName(grant.scope));
  insert.Bind(4, grant.scope == GrantScope::kZone ? std::span<const uint8_t>() : name.wire());
  insert.BindText(5, JoinTypes(grant.types));
  return insert.Run();
}

}  // namespace tether::store::sqlite
