#include "store/transfer_rows.h"

#include "base/cidr.h"

namespace tether::store::transfer_rows {

namespace {
constexpr const char* kSecondary = "secondary";
constexpr const char* kKey = "key";
constexpr const char* kAddress = "address";
}  // namespace

Result<std::vector<PeerRow>> PeerRowsOf(const TransferSettings& settings) {
  std::vector<PeerRow> rows;
  for (const auto& secondary : settings.secondaries) {
    if (secondary.address.empty()) return InvalidArgument("a secondary without an address");
    rows.push_back({kSecondary, secondary.address, secondary.key ? secondary.key->Lowercased().ToText() : ""});
  }
  for (const auto& key : settings.keys) rows.push_back({kKey, key.Lowercased().ToText(), ""});
  for (const auto& cidr : settings.cidrs) {
    if (!Cidr::Parse(cidr)) return InvalidArgument("bad network '{}'", cidr);
    rows.push_back({kAddress, cidr, ""});
  }
  return rows;
}

std::optional<dns::Name> KeyFromColumn(std::string_view text) {
  auto name = dns::Name::FromText(text);
  if (text.empty() || text.back() != '.' || !name) return std::nullopt;
  return name->Lowercased();
}

bool AddPeerRow(std::string_view kind, std::string_view value, std::string_view key_name, TransferSettings* settings) {
  if (kind == kSecondary) {
    if (value.empty()) return false;
    Secondary secondary{std::string(value), std::nullopt};
    if (!key_name.empty()) {
      secondary.key = KeyFromColumn(key_name);
      if (!secondary.key) return false;
    }
    settings->secondaries.push_back(std::move(secondary));
  } else if (kind == kKey) {
    auto key = KeyFromColumn(value);
    if (!key) return false;
    settings->keys.push_back(std::move(*key));
  } else if (kind == kAddress && Cidr::Parse(value)) {
    settings->cidrs.emplace_back(value);
  } else {
    return false;
  }
  return true;
}

}  // namespace tether::store::transfer_rows
