#include "app/admin.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <streambuf>

#include "app/admin_output.h"
#include "base/cidr.h"
#include "base/json_text.h"
#include "base/log.h"
#include "dns/rdata.h"
#include "dns/rdata_codec.h"
#include "dns/wire/tsig.h"
#include "zone/master_file.h"

namespace tether::app {

namespace {

using admin_output::Fail;
using admin_output::kFailure;
using admin_output::kOk;
using admin_output::kUsage;
using admin_output::Usage;

// An ostream that hands what is written to the command output in chunks, so exporting a
// zone of millions of names needs no buffer of its size.
class OutputBuffer : public std::streambuf {
 public:
  explicit OutputBuffer(control::CommandOutput& out) : out_(out) { setp(buffer_, buffer_ + sizeof(buffer_)); }
  ~OutputBuffer() override { sync(); }

 protected:
  int overflow(int c) override {
    sync();
    if (c != traits_type::eof()) {
      *pptr() = static_cast<char>(c);
      pbump(1);
    }
    return c;
  }
  int sync() override {
    if (pptr() > pbase()) out_.Out(std::string_view(pbase(), static_cast<size_t>(pptr() - pbase())));
    setp(buffer_, buffer_ + sizeof(buffer_));
    return 0;
  }

 private:
  control::CommandOutput& out_;
  char buffer_[1 << 20];
};

Result<dns::Name> ParseName(const std::string& text, const char* what) {
  auto name = dns::Name::FromText(text);
  if (!name) return InvalidArgument("bad {} '{}': {}", what, text, name.error().message);
  return name->Lowercased();
}

// "hostmaster@example.net" -> hostmaster.example.net. (dots in the local part escaped).
Result<dns::Name> MailboxName(const std::string& email) {
  size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size()) {
    return InvalidArgument("bad --soa-email '{}': expected user@domain", email);
  }
  std::string local;
  for (char c : email.substr(0, at)) {
    if (c == '.') local += '\\';
    local.push_back(c);
  }
  return ParseName(local + "." + email.substr(at + 1) + (email.back() == '.' ? "" : "."), "SOA e-mail");
}

std::string Row(std::initializer_list<std::string> fields) {
  std::string row;
  for (const auto& field : fields) {
    if (!row.empty()) row += '\t';
    row += field;
  }
  return row + "\n";
}

uint32_t SoaSerialOf(const std::vector<zone::Rrset>& apex) {
  for (const auto& rrset : apex) {
    if (rrset.type != dns::RrType::kSoa || rrset.rdatas.empty()) continue;
    dns::Reader reader(rrset.rdatas.front());
    uint8_t skip[dns::Name::kMaxWire];
    dns::ReadName(reader, skip);
    dns::ReadName(reader, skip);
    return reader.U32();
  }
  return 0;
}

const char* ScopeName(store::GrantScope scope) {
  switch (scope) {
    case store::GrantScope::kZone:
      return "zone";
    case store::GrantScope::kName:
      return "name";
    case store::GrantScope::kSubtree:
      return "subtree";
    case store::GrantScope::kAcme:
      return "acme";
  }
  return "?";
}

}  // namespace

Admin::Admin(store::Store& store, update::UpdateService& updates, zone::ZoneRegistry& zones,
             update::AccessControl& access, ZoneDefaults defaults, store::AccountStore& accounts,
             accounts::Directory& directory, accounts::NamePolicy policy)
    : store_(store),
      updates_(updates),
      zones_(zones),
      access_(access),
      defaults_(std::move(defaults)),
      accounts_(accounts),
      directory_(directory),
      policy_(std::move(policy)) {}

Result<std::vector<std::shared_ptr<zone::Zone>>> Admin::LoadDynamicZones(
    const std::vector<dns::Name>& static_origins) {
  ASSIGN_OR_RETURN(auto infos, store_.ListZones());
  std::vector<std::shared_ptr<zone::Zone>> loaded;
  for (const auto& info : infos) {
    if (std::find(static_origins.begin(), static_origins.end(), info.origin) != static_origins.end()) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       fmt::format("zone {} is both in the store and given with --zone", info.origin.ToText()));
    }
    ASSIGN_OR_RETURN(std::shared_ptr<zone::Zone> zone, LoadStoredZone(info));
    loaded.push_back(std::move(zone));
  }
  return loaded;
}

Result<std::shared_ptr<zone::Zone>> Admin::LoadStoredZone(const store::ZoneInfo& info) {
  auto start = std::chrono::steady_clock::now();
  auto zone = std::make_shared<zone::Zone>(info.origin);
  std::vector<zone::NameUpdate> chunk;
  Status applied = Ok();
  size_t names = 0;
  RETURN_IF_ERROR(store_.LoadZone(info.id, [&](zone::NameUpdate&& update) {
    chunk.push_back(std::move(update));
    ++names;
    if (chunk.size() >= 250000 && applied) {
      applied = zone->Apply(std::move(chunk));
      chunk.clear();
    }
  }));
  if (applied && !chunk.empty()) applied = zone->Apply(std::move(chunk));
  if (!applied) {
    return MakeError(ErrorCode::kInternal, fmt::format("zone {} in the store is not usable: {}",
                                                       info.origin.ToText(), applied.error().message));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSIGN_OR_RETURN(std::optional<store::PrimarySettings> primary, store_.GetPrimarySettings(info.id));
  spdlog::info("{}zone {} loaded from the store: {} names, serial {}, {:.2f} s", primary ? "secondary " : "",
               info.origin.ToText(), names, info.serial, seconds);
  if (primary) {
    // Secondary zones change only by transfers from their primaries (xfr/secondary.h).
    if (secondaries_ != nullptr) secondaries_->AddZone(info.id, zone, std::move(*primary));
  } else {
    updates_.AddZone(info.id, zone, info.journal_seq);
  }
  return zone;
}

Status Admin::RefreshAccess() {
  ASSIGN_OR_RETURN(auto keys, store_.ListKeys());
  ASSIGN_OR_RETURN(auto zones, store_.ListZones());
  access_.Set(std::make_shared<const update::AccessSnapshot>(keys, zones));
  return Ok();
}

int Admin::Run(const std::vector<std::string>& argv, control::CommandOutput& out) {
  control::Invocation inv;
  CLI::App app{"tether", "tether"};
  control::BuildCli(app, inv);
  try {
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    out.Err(std::string("tether: ") + error.what() + "\n");
    return kUsage;
  }
  control::FinishParse(app, inv);
  MutexLock lock(mu_);
  const std::string& command = inv.command;
  if (command == "zone add") return ZoneAdd(inv, out);
  if (command == "zone list") return ZoneList(inv, out);
  if (command == "zone export") return ZoneExport(inv, out);
  if (command == "zone remove") return ZoneRemove(inv, out);
  if (command == "zone allow-update") return ZoneAllowUpdate(inv, out);
  if (command == "zone secondary add") return ZoneSecondaryAdd(inv, out);
  if (command == "zone secondary list") return ZoneSecondaryList(inv, out);
  if (command == "zone secondary remove") return ZoneSecondaryRemove(inv, out);
  if (command == "zone allow-transfer") return ZoneAllowTransfer(inv, out);
  if (command == "key add") return KeyAdd(inv, out);
  if (command == "key grant") return KeyGrant(inv, out);
  if (command == "key list") return KeyList(inv, out);
  if (command == "key remove") return KeyRemove(inv, out);
  if (command == "user add") return UserAdd(inv, out);
  if (command == "user list") return UserList(inv, out);
  if (command == "user remove") return UserRemove(inv, out);
  if (command == "user passwd") return UserPasswd(inv, out);
  if (command == "host add") return HostAdd(inv, out);
  if (command == "host list") return HostList(inv, out);
  if (command == "host remove") return HostRemove(inv, out);
  if (command == "host state") return HostState(inv, out);
  if (command == "host credential add") return HostCredentialAdd(inv, out);
  if (command == "token add") return TokenAdd(inv, out);
  if (command == "token list") return TokenList(inv, out);
  if (command == "token revoke") return TokenRevoke(inv, out);
  if (command == "takedown preview") return TakedownPreview(inv, out);
  if (command == "takedown apply") return TakedownApply(inv, out);
  if (command == "takedown restore") return TakedownRestore(inv, out);
  if (command == "takedown list") return TakedownList(inv, out);
  if (command == "takedown export") return TakedownExport(inv, out);
  if (command == "abuse scan") return AbuseScan(inv, out);
  if (command == "audit list") return AuditList(inv, out);
  if (command == "audit verify") return AuditVerify(inv, out);
  out.Err("tether: '" + command + "' is not a server command\n");
  return kUsage;
}

Result<std::vector<zone::NameUpdate>> Admin::DefaultZoneContent(const dns::Name& origin,
                                                                const control::Invocation& inv) const {
  std::vector<std::string> ns_texts = !inv.ns.empty() ? inv.ns : defaults_.ns;
  if (ns_texts.empty()) ns_texts.push_back("ns1." + origin.ToText());
  std::vector<std::vector<uint8_t>> ns_rdatas;
  for (const auto& text : ns_texts) {
    ASSIGN_OR_RETURN(dns::Name ns, ParseName(text + (text.back() == '.' ? "" : "."), "name server"));
    ns_rdatas.emplace_back(ns.wire().begin(), ns.wire().end());
  }
  std::string email = !inv.soa_email.empty() ? inv.soa_email : defaults_.soa_email;
  if (email.empty()) email = "hostmaster@" + origin.ToText();
  ASSIGN_OR_RETURN(dns::Name mailbox, MailboxName(email));
  uint32_t serial = 1;
  if (inv.serial_policy == "unixtime") {
    serial = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  }
  std::string soa_text = dns::Name::FromValidWire(ns_rdatas.front()).ToText() + " " + mailbox.ToText() + " " +
                         std::to_string(serial) + " " + std::to_string(defaults_.refresh) + " " +
                         std::to_string(defaults_.retry) + " " + std::to_string(defaults_.expire) + " " +
                         std::to_string(defaults_.minimum);
  ASSIGN_OR_RETURN(auto soa, dns::RdataFromString(dns::RrType::kSoa, soa_text, dns::Name()));
  std::vector<zone::NameUpdate> names;
  names.push_back({origin,
                   {zone::Rrset{dns::RrType::kSoa, defaults_.soa_ttl, {soa}},
                    zone::Rrset{dns::RrType::kNs, defaults_.ns_ttl, ns_rdatas}}});
  return names;
}

int Admin::ZoneAdd(const control::Invocation& inv, control::CommandOutput& out) {
  auto origin = ParseName(inv.origin, "zone origin");
  if (!origin) return Fail(out, origin.error().message);
  if (zones_.Get(*origin) != nullptr) return Fail(out, "zone " + origin->ToText() + " already exists");
  if (!inv.primaries.empty()) return ZoneAddSecondary(inv, *origin, out);
  if (!inv.key_name.empty()) return Fail(out, "--key goes with --primary");
  if (inv.rpz && !inv.import_file.empty()) return Usage(out, "--rpz does not go with --import");
  std::vector<zone::NameUpdate> names;
  if (!inv.import_file.empty()) {
    out.Progress(0, 0, "reading " + inv.import_file);
    auto loaded = zone::LoadZoneUpdates(inv.import_file, *origin);
    if (!loaded) return Fail(out, loaded.error().message);
    names = std::move(*loaded);
  } else if (inv.rpz) {
    control::Invocation rpz = inv;
    if (rpz.ns.empty()) rpz.ns = {"localhost."};  // RPZ convention: the NS is never used
    auto made = DefaultZoneContent(*origin, rpz);
    if (!made) return Fail(out, made.error().message);
    names = std::move(*made);
    if (takedowns_ != nullptr) {
      auto entries = takedowns_->RpzContent(*origin);
      if (!entries) return Fail(out, entries.error().message);
      for (auto& entry : *entries) names.push_back(std::move(entry));
    }
  } else {
    auto made = DefaultZoneContent(*origin, inv);
    if (!made) return Fail(out, made.error().message);
    names = std::move(*made);
    for (const auto& rrset : names.front().rrsets) {
      if (rrset.type != dns::RrType::kNs) continue;
      for (const auto& rdata : rrset.rdatas) {
        dns::Name ns = dns::Name::FromValidWire(rdata);
        if (ns.IsSubdomainOf(*origin)) {
          out.Err("tether: warning: name server " + ns.ToText() +
                  " is inside the zone and has no address yet: add its A/AAAA record, or use --ns "
                  "with names outside the zone\n");
        }
      }
    }
  }
  auto policy = store::SerialPolicyFromName(inv.serial_policy);
  auto created = store_.CreateZone(
      *origin, *policy, names, [&](size_t done, size_t total) { out.Progress(done, total, "storing names"); },
      inv.service ? store::ZoneKind::kService : inv.rpz ? store::ZoneKind::kRpz : store::ZoneKind::kPlain);
  if (!created) return Fail(out, created.error().message);
  auto zone = std::make_shared<zone::Zone>(*origin);
  if (auto applied = zone->Apply(std::move(names)); !applied) return Fail(out, applied.error().message);
  updates_.AddZone(created->id, zone, created->journal_seq);
  zones_.Put(zone);
  if (auto refreshed = RefreshAccess(); !refreshed) return Fail(out, refreshed.error().message);
  spdlog::info("zone {} added ({} names)", origin->ToText(), zone->Stats().nodes);
  out.Out("id: " + origin->ToText() + "\n");
  return kOk;
}

int Admin::ZoneList(const control::Invocation& inv, control::CommandOutput& out) {
  auto all = zones_.All();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a->origin() < b->origin(); });
  std::string text = inv.json ? "[" : "";
  bool first = true;
  for (const auto& zone : all) {
    std::string kind = updates_.IsDynamic(zone->origin()) ? "dynamic"
                       : IsSecondary(zone->origin())      ? "secondary"
                                                          : "static";
    if (kind == "dynamic") {
      if (auto info = store_.GetZone(zone->origin()); info && *info) {
        kind = (*info)->service ? "service" : (*info)->rpz ? "rpz" : kind;
      }
    }
    uint32_t serial = SoaSerialOf(zone->Get(zone->origin()));
    size_t names = zone->Stats().nodes;
    if (inv.json) {
      text += std::string(first ? "" : ",") + "\n  {\"origin\": " + JsonString(zone->origin().ToText()) +
              ", \"kind\": " + JsonString(kind) + ", \"serial\": " + std::to_string(serial) +
              ", \"names\": " + std::to_string(names) + "}";
    } else {
      text += Row({zone->origin().ToText(), kind, std::to_string(serial), std::to_string(names)});
    }
    first = false;
  }
  if (inv.json) text += first ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

int Admin::ZoneExport(const control::Invocation& inv, control::CommandOutput& out) {
  auto origin = ParseName(inv.origin, "zone origin");
  if (!origin) return Fail(out, origin.error().message);
  auto zone = zones_.Get(*origin);
  if (zone == nullptr) return Fail(out, "no zone " + origin->ToText());
  OutputBuffer buffer(out);
  std::ostream stream(&buffer);
  auto written = zone::WriteMasterFile(*zone, stream);
  stream.flush();
  if (!written) return Fail(out, written.error().message);
  return kOk;
}

int Admin::ZoneRemove(const control::Invocation& inv, control::CommandOutput& out) {
  auto origin = ParseName(inv.origin, "zone origin");
  if (!origin) return Fail(out, origin.error().message);
  if (zones_.Get(*origin) != nullptr && !updates_.IsDynamic(*origin) && !IsSecondary(*origin)) {
    return Fail(out, origin->ToText() + " is a static zone (--zone); remove it from tetherd's command line");
  }
  auto removed = store_.DeleteZone(*origin);
  if (!removed) return Fail(out, removed.error().message);
  if (!*removed) return Fail(out, "no zone " + origin->ToText());
  ForgetZone(*origin);
  spdlog::info("zone {} removed", origin->ToText());
  return kOk;
}

void Admin::ForgetZone(const dns::Name& origin) {
  updates_.RemoveZone(origin);
  if (secondaries_ != nullptr) secondaries_->RemoveZone(origin);
  zones_.Remove(origin);
  (void)RefreshAccess();
  // The store dropped the zone's hosts (and their credentials) with it.
  if (auto reloaded = directory_.Load(accounts_); !reloaded) {
    spdlog::error("reloading accounts after removing {}: {}", origin.ToText(), reloaded.error().message);
  }
}

Status Admin::ReloadTransfers() { return transfers_ != nullptr ? transfers_->Reload() : Ok(); }

Status Admin::SyncZone(const dns::Name& origin) {
  MutexLock lock(mu_);
  return SyncZoneLocked(origin);
}

Status Admin::SyncZoneLocked(const dns::Name& origin) {
  ASSIGN_OR_RETURN(std::optional<store::ZoneInfo> info, store_.GetZone(origin));
  const bool stored_here = updates_.IsDynamic(origin) || IsSecondary(origin);
  if (!info && stored_here) {
    ForgetZone(origin);
    spdlog::info("zone {} removed (by another node)", origin.ToText());
  } else if (info && !stored_here) {
    if (zones_.Get(origin) != nullptr) {
      return MakeError(ErrorCode::kFailedPrecondition,
                       "zone " + origin.ToText() + " was made in the store, but it is a --zone file zone here");
    }
    ASSIGN_OR_RETURN(std::shared_ptr<zone::Zone> zone, LoadStoredZone(*info));
    zones_.Put(std::move(zone));
  }
  RETURN_IF_ERROR(RefreshAccess());  // allow-update lists
  return ReloadTransfers();
}

Status Admin::SyncKeys() {
  MutexLock lock(mu_);
  RETURN_IF_ERROR(RefreshAccess());
  return ReloadTransfers();
}

Status Admin::SyncAll() {
  MutexLock lock(mu_);
  ASSIGN_OR_RETURN(std::vector<store::ZoneInfo> infos, store_.ListZones());
  std::vector<dns::Name> origins;
  for (const auto& info : infos) origins.push_back(info.origin);
  for (const auto& zone : zones_.All()) {
    const dns::Name& origin = zone->origin();
    if (std::find(origins.begin(), origins.end(), origin) == origins.end()) origins.push_back(origin);
  }
  for (const auto& origin : origins) {
    RETURN_IF_ERROR(SyncZoneLocked(origin));
    updates_.CatchUp(origin);
  }
  return directory_.Load(accounts_);
}

int Admin::ZoneAllowUpdate(const control::Invocation& inv, control::CommandOutput& out) {
  auto origin = ParseName(inv.origin, "zone origin");
  if (!origin) return Fail(out, origin.error().message);
  auto info = store_.GetZone(*origin);
  if (!info) return Fail(out, info.error().message);
  if (!*info) return Fail(out, "no dynamic zone " + origin->ToText());
  if (IsSecondary(*origin)) return Fail(out, origin->ToText() + " is a secondary zone: it takes no updates");
  std::vector<std::string> cidrs = inv.clear ? std::vector<std::string>() : (*info)->allow_update;
  for (const auto& text : inv.addresses) {
    auto cidr = Cidr::Parse(text);
    if (!cidr) {
      out.Err("tether: " + cidr.error().message + "\n");
      return kUsage;
    }
    if (std::find(cidrs.begin(), cidrs.end(), cidr->ToString()) == cidrs.end()) cidrs.push_back(cidr->ToString());
  }
  if (auto set = store_.SetAllowUpdate((*info)->id, cidrs); !set) return Fail(out, set.error().message);
  if (auto refreshed = RefreshAccess(); !refreshed) return Fail(out, refreshed.error().message);
  std::string text;
  for (const auto& cidr : cidrs) text += Row({origin->ToText(), cidr});
  out.Out(text);
  return kOk;
}

int Admin::KeyAdd(const control::Invocation& inv, control::CommandOutput& out) {
  auto name = ParseName(inv.key_name, "key name");
  if (!name) return Fail(out, name.error().message);
  auto algorithm = dns::TsigAlgorithmFromString(inv.algorithm);
  if (!algorithm) return Fail(out, "unknown algorithm " + inv.algorithm);
  store::TsigKeyInfo key;
  key.name = *name;
  key.algorithm = std::string(dns::TsigAlgorithmString(*algorithm));
  if (!inv.secret.empty()) {
    if (!dns::rdata_codec::ParseBase64(inv.secret, &key.secret) || key.secret.empty()) {
      return Fail(out, "--secret is not base64");
    }
  } else {
    key.secret.resize(dns::TsigMacSize(*algorithm));
    if (RAND_bytes(key.secret.data(), static_cast<int>(key.secret.size())) != 1) {
      return Fail(out, "no randomness for the key secret");
    }
  }
  if (auto added = store_.AddKey(key); !added) {
    return Fail(out, added.error().code == ErrorCode::kAlreadyExists ? "key " + name->ToText() + " already exists"
                                                                      : added.error().message);
  }
  if (auto refreshed = RefreshAccess(); !refreshed) return Fail(out, refreshed.error().message);
  std::string secret;
  dns::rdata_codec::AppendBase64(key.secret, &secret);
  std::string bare = name->ToText();
  bare.pop_back();  // nsupdate -y and knsupdate -y take the name without the final dot
  out.Out("id: " + name->ToText() + "\n" + key.algorithm + ":" + bare + ":" + secret + "\n" + "key \"" + bare +
          "\" {\n\talgorithm " + key.algorithm + ";\n\tsecret \"" + secret + "\";\n};\n");
  return kOk;
}

int Admin::KeyGrant(const control::Invocation& inv, control::CommandOutput& out) {
  auto name = ParseName(inv.key_name, "key name");
  auto zone_name = ParseName(inv.zone, "zone");
  if (!name) return Fail(out, name.error().message);
  if (!zone_name) return Fail(out, zone_name.error().message);
  if (!updates_.IsDynamic(*zone_name)) return Fail(out, "no dynamic zone " + zone_name->ToText());
  store::KeyGrant grant;
  grant.zone = *zone_name;
  std::string scoped;
  if (!inv.grant_name.empty()) {
    grant.scope = store::GrantScope::kName;
    scoped = inv.grant_name;
  } else if (!inv.grant_subtree.empty()) {
    grant.scope = store::GrantScope::kSubtree;
    scoped = inv.grant_subtree;
  } else if (!inv.grant_acme.empty()) {
    grant.scope = store::GrantScope::kAcme;
    scoped = inv.grant_acme;
  }
  if (!scoped.empty()) {
    auto scoped_name = ParseName(scoped + (scoped.back() == '.' ? "" : "."), "name");
    if (!scoped_name) return Fail(out, scoped_name.error().message);
    if (!scoped_name->IsSubdomainOf(*zone_name)) {
      return Fail(out, scoped_name->ToText() + " is not in zone " + zone_name->ToText());
    }
    grant.name = *scoped_name;
  }
  for (const auto& text : inv.types) {
    auto type = dns::RrTypeFromString(text);
    if (!type || dns::IsMetaType(*type)) {
      out.Err("tether: unknown record type '" + text + "'\n");
      return kUsage;
    }
    grant.types.push_back(*type);
  }
  if (auto added = store_.AddGrant(*name, grant); !added) {
    return Fail(out, added.error().code == ErrorCode::kNotFound ? "no key " + name->ToText() : added.error().message);
  }
  if (auto refreshed = RefreshAccess(); !refreshed) return Fail(out, refreshed.error().message);
  return kOk;
}

int Admin::KeyList(const control::Invocation& inv, control::CommandOutput& out) {
  auto keys = store_.ListKeys();
  if (!keys) return Fail(out, keys.error().message);
  std::sort(keys->begin(), keys->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::string text = inv.json ? "[" : "";
  bool first = true;
  for (const auto& key : *keys) {
    std::vector<std::string> grants;
    for (const auto& grant : key.grants) {
      std::string types;
      for (auto type : grant.types) types += (types.empty() ? "" : ",") + dns::RrTypeToString(type);
      grants.push_back(grant.zone.ToText() + " " + ScopeName(grant.scope) +
                       (grant.scope == store::GrantScope::kZone ? "" : " " + grant.name.ToText()) +
                       (types.empty() ? "" : " " + types));
    }
    if (inv.json) {
      text += std::string(first ? "" : ",") + "\n  {\"name\": " + JsonString(key.name.ToText()) +
              ", \"algorithm\": " + JsonString(key.algorithm) + ", \"grants\": [";
      for (size_t i = 0; i < grants.size(); ++i) text += (i ? ", " : "") + JsonString(grants[i]);
      text += "]}";
    } else {
      std::string joined;
      for (const auto& grant : grants) joined += (joined.empty() ? "" : "; ") + grant;
      text += Row({key.name.ToText(), key.algorithm, joined.empty() ? "-" : joined});
    }
    first = false;
  }
  if (inv.json) text += first ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

int Admin::KeyRemove(const control::Invocation& inv, control::CommandOutput& out) {
  auto name = ParseName(inv.key_name, "key name");
  if (!name) return Fail(out, name.error().message);
  auto removed = store_.RemoveKey(*name);
  if (!removed) return Fail(out, removed.error().message);
  if (!*removed) return Fail(out, "no key " + name->ToText());
  if (auto refreshed = RefreshAccess(); !refreshed) return Fail(out, refreshed.error().message);
  return kOk;
}

}  // namespace tether::app
