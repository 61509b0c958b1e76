#include "store/postgres/rows.h"

#include <cstdint>

#include <fmt/format.h>

#include "store/sqlite/rows.h"

namespace tether::store::postgres {

tl::unexpected<Error> Damaged(std::string_view what) {
  return MakeError(ErrorCode::kIo, fmt::format("{}: damaged {} in the store", kWhere, what));
}

Result<dns::Name> NameFromColumn(std::span<const uint8_t> wire) {
  auto name = dns::Name::FromWire(wire);
  if (!name) return Damaged("name");
  return name;
}

Result<ZoneInfo> ZoneFromRow(Row& row, int first) {
  ZoneInfo info;
  info.id = row.Int(first);
  auto origin = dns::Name::FromWire(row.Bytes(first + 1));
  auto policy = SerialPolicyFromName(row.Text(first + 2));
  const int64_t serial = row.Int(first + 3);
  const int64_t journal_seq = row.Int(first + 4);
  info.allow_update = sqlite::SplitCidrs(row.Text(first + 5));
  info.service = row.Bool(first + 6);
  info.rpz = row.Bool(first + 7);
  if (!row.ok() || !origin || !policy || serial < 0 || serial > int64_t{UINT32_MAX} ||
      journal_seq < 0) {
    return Damaged(origin ? "zone row of " + origin->ToText() : std::string("zone row"));
  }
  info.origin = std::move(*origin);
  info.serial_policy = *policy;
  info.serial = static_cast<uint32_t>(serial);
  info.journal_seq = static_cast<uint64_t>(journal_seq);
  return info;
}

}  // namespace tether::store::postgres
