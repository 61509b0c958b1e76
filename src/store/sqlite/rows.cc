#include "store/sqlite/rows.h"

#include <cstdint>

namespace tether::store::sqlite {

tl::unexpected<Error> DamagedRow(const std::string& path, std::string_view what) {
  return MakeError(ErrorCode::kIo, fmt::format("{}: damaged {} in the store", path, what));
}

Result<dns::Name> NameFromColumn(std::span<const uint8_t> wire, const std::string& path) {
  auto name = dns::Name::FromWire(wire);
  if (!name) return DamagedRow(path, "name");
  return name;
}

Result<ZoneInfo> ZoneFromRow(const Statement& row, int first, const std::string& path) {
  ZoneInfo info;
  info.id = row.Int(first);
  ASSIGN_OR_RETURN(info.origin, NameFromColumn(row.Blob(first + 1), path));
  auto policy = SerialPolicyFromName(row.Text(first + 2));
  const int64_t serial = row.Int(first + 3);
  const int64_t journal_seq = row.Int(first + 4);
  if (!policy || serial < 0 || serial > int64_t{UINT32_MAX} || journal_seq < 0) {
    return DamagedRow(path, "zone row of " + info.origin.ToText());
  }
  info.serial_policy = *policy;
  info.serial = static_cast<uint32_t>(serial);
  info.journal_seq = static_cast<uint64_t>(journal_seq);
  info.allow_update = SplitCidrs(row.Text(first + 5));
  info.service = row.Int(first + 6) != 0;
  info.rpz = row.Int(first + 7) != 0;
  return info;
}

Result<std::string> JoinCidrs(const std::vector<std::string>& cidrs) {
  std::string text;
  for (const auto& cidr : cidrs) {
    if (cidr.empty() || cidr.find(',') != std::string::npos) {
      return InvalidArgument("invalid address range '{}'", cidr);
    }
    if (!text.empty()) text += ',';
    text += cidr;
  }
  return text;
}

std::vector<std::string> SplitCidrs(std::string_view text) {
  std::vector<std::string> cidrs;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view cidr = text.substr(0, comma);
    if (!cidr.empty()) cidrs.emplace_back(cidr);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return cidrs;
}

// Stored in grants.scope; changing one needs a migration.
const char* GrantScopeName(GrantScope scope) {
  switch (scope) {
    case GrantScope::kZone:
      return "zone";
    case GrantScope::kName:
      return "name";
    case GrantScope::kSubtree:
      return "subtree";
    case GrantScope::kAcme:
      return "acme";
  }
  return "zone";
}

std::optional<GrantScope> GrantScopeFromName(std::string_view name) {
  if (name == "zone") return GrantScope::kZone;
  if (name == "name") return GrantScope::kName;
  if (name == "subtree") return GrantScope::kSubtree;
  if (name == "acme") return GrantScope::kAcme;
  return std::nullopt;
}

std::string JoinTypes(const std::vector<dns::RrType>& types) {
  std::string text;
  for (dns::RrType type : types) {
    if (!text.empty()) text += ',';
    text += dns::RrTypeToString(type);
  }
  return text;
}

Result<std::vector<dns::RrType>> SplitTypes(std::string_view text) {
  std::vector<dns::RrType> types;
  while (!text.empty()) {
    size_t comma = text.find(',');
    auto type = dns::RrTypeFromString(text.substr(0, comma));
    if (!type) return InvalidArgument("unknown type '{}'", text.substr(0, comma));
    types.push_back(*type);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return types;
}

}  // namespace tether::store::sqlite
