// tether audit list / verify, and the entries admin commands record (store/audit.h,
// abuse/audit.h, docs/abuse.md).
#include <chrono>

#include "abuse/audit.h"
#include "app/admin.h"
#include "app/admin_output.h"
#include "base/json_text.h"
#include "base/time_text.h"

namespace tether::app {

namespace {

using admin_output::Fail;
using admin_output::kFailure;
using admin_output::kOk;

// Entries read per ReadAudit call, so a long log is never held whole.
constexpr size_t kPage = 1000;

using admin_output::Field;

std::string RowOf(const store::AuditEntry& entry) {
  std::string names;
  for (const auto& name : entry.names) names += (names.empty() ? "" : ",") + name;
  return std::to_string(entry.seq) + '\t' + FormatTime(entry.time) + '\t' + Field(entry.actor) +
         '\t' + Field(entry.action) + '\t' + Field(names) + '\t' + Field(entry.reason) + '\t' +
         Field(entry.reference) + '\t' + std::to_string(entry.serial_before) + '\t' +
         std::to_string(entry.serial_after) + '\n';
}

std::string JsonOf(const store::AuditEntry& entry) {
  std::string names;
  for (size_t i = 0; i < entry.names.size(); ++i)
    names += (i ? ", " : "") + JsonString(entry.names[i]);
  return "{\"seq\": " + std::to_string(entry.seq) +
         ", \"time\": " + JsonString(FormatTime(entry.time)) +
         ", \"actor\": " + JsonString(entry.actor) + ", \"action\": " + JsonString(entry.action) +
         ", \"names\": [" + names + "], \"reason\": " + JsonString(entry.reason) +
         ", \"reference\": " + JsonString(entry.reference) +
         ", \"serial_before\": " + std::to_string(entry.serial_before) +
         ", \"serial_after\": " + std::to_string(entry.serial_after) +
         ", \"prev_hash\": " + JsonString(entry.prev_hash) +
         ", \"hash\": " + JsonString(entry.hash) + "}";
}

}  // namespace

Status Admin::RecordAudit(const std::string& action, const std::vector<dns::Name>& names,
                          const std::string& reason, const std::string& actor) {
  store::AuditEntry entry;
  entry.time = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  entry.actor = actor;
  entry.action = action;
  entry.reason = reason;
  for (const auto& name : names) entry.names.push_back(name.Lowercased().ToText());
  auto appended = store_.audit().AppendAudit(entry);
  if (!appended) return tl::unexpected(appended.error());
  return Ok();
}

int Admin::AuditList(const control::Invocation& inv, control::CommandOutput& out) {
  uint64_t after = 0;
  bool first = true;
  if (inv.json) out.Out("[");
  while (true) {
    auto page = store_.audit().ReadAudit(after, kPage);
    if (!page) return Fail(out, page.error().message);
    std::string text;
    for (const auto& entry : *page) {
      text += inv.json ? std::string(first ? "" : ",") + "\n  " + JsonOf(entry) : RowOf(entry);
      first = false;
      after = entry.seq;
    }
    out.Out(text);
    if (page->size() < kPage) break;
  }
  if (inv.json) out.Out(first ? "]\n" : "\n]\n");
  return kOk;
}

int Admin::AuditVerify(const control::Invocation&, control::CommandOutput& out) {
  abuse::AuditVerifier verifier;
  uint64_t after = 0;
  while (true) {
    auto page = store_.audit().ReadAudit(after, kPage);
    if (!page) return Fail(out, page.error().message);
    for (const auto& entry : *page) {
      if (!verifier.Add(entry)) break;
      after = entry.seq;
    }
    if (!verifier.verdict().ok || page->size() < kPage) break;
  }
  const abuse::AuditVerdict& verdict = verifier.verdict();
  if (!verdict.ok) {
    out.Out("broken at seq " + std::to_string(verdict.broken_at) + ": " + verdict.why + "\n");
    return kFailure;
  }
  out.Out("ok: " + std::to_string(verdict.entries) + " entries\n");
  return kOk;
}

}  // namespace tether::app
