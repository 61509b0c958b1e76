// The legal-hold export of a takedown order (docs/abuse.md, "Legal-hold export"): for the
// names the order lists, and only for them, their record history (the order's snapshot,
// the records published now, the zone journal's changes of their names), their update log,
// the accounts owning them, the order's audit entries and the host.state entries of those
// names, written as files below a new directory with a SHA-256 manifest that
// `sha256sum -c` checks.
//
// What belongs to a listed name NAME: NAME itself and, unless it is a zone apex, the names
// the update API and an order give a host (`*.NAME`, `_acme-challenge.NAME`,
// `_withheld.NAME`). Nothing else is read into the bundle: no record of another owner, no
// history row of another host, no audit entry that also names an unlisted name.
//
// The files are written by the calling process (tetherd), directory mode 0700 and files
// 0600: they hold personal data. Nothing is written outside `dir`.
//
// Thread-safety: ExportTakedown may be called from any thread; it only reads the store and
// the published zones.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "dns/name.h"
#include "dns/rr_type.h"
#include "store/store.h"
#include "update/update_service.h"

namespace tether::abuse {

struct ExportSummary {
  std::vector<std::string> files;  // paths relative to the directory, as in the manifest
  std::filesystem::path manifest;  // DIR/MANIFEST.sha256
  std::string manifest_sha256;     // lower-case hex SHA-256 of the manifest itself
  std::vector<std::string> names;  // the order's listed names
};

// Writes the bundle of order `order_id` below `dir` (created if missing, with its parents).
// `now` (unix seconds) is the export time written into it.
// Fails with kNotFound for no such order (a preview is no order), kFailedPrecondition if
// `dir` exists and is not an empty directory, kIo if a file cannot be written (what was
// written stays; a bundle without MANIFEST.sha256 is incomplete).
// REQUIRES: `dir` is absolute.
Result<ExportSummary> ExportTakedown(store::Store& store, const update::UpdateService& updates,
                                     int64_t order_id, const std::filesystem::path& dir,
                                     int64_t now);

// ---- the parts, for the export and its tests (takedown_export_text.cc) ----

// Lower-case hex SHA-256 of `bytes`.
using store::Sha256Hex;
// A field of a tab-separated row: backslash, tab, CR and LF written as \\, \t, \r, \n.
std::string TsvField(std::string_view text);
// The directory name of a listed name below names/: its text without the final dot,
// every byte but [a-z0-9.*_-] written as %XX, so it is one path component.
std::string NameDirectory(const dns::Name& name);
// One record in master-file form ("OWNER TTL IN TYPE RDATA", tab-separated, with a newline);
// RDATA that does not validate is written in the RFC 3597 form.
std::string RecordLine(const dns::Name& owner, dns::RrType type, uint32_t ttl,
                       std::span<const uint8_t> rdata);

}  // namespace tether::abuse
