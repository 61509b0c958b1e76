// tether takedown preview / apply / restore / list / export (abuse/takedown.h,
// abuse/takedown_export.h, docs/abuse.md) and tether abuse scan (abuse/flux_scan.h,
// docs/detection.md).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "abuse/flux_scan.h"
#include "abuse/takedown_export.h"
#include "abuse/watch.h"
#include "app/admin.h"
#include "app/admin_output.h"
#include "base/json_text.h"
#include "base/time_text.h"

namespace tether::app {

namespace {

using admin_output::Fail;
using admin_output::Field;
using admin_output::kOk;
using admin_output::Lower;
using admin_output::UnixNow;
using admin_output::Usage;

int Failed(control::CommandOutput& out, const Error& error) {
  return error.code == ErrorCode::kInvalidArgument ? Usage(out, error.message) : Fail(out, error.message);
}

Result<int64_t> ParseId(const std::string& text) {
  try {
    size_t used = 0;
    const int64_t id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return id;
  } catch (const std::exception&) {
  }
  return MakeError(ErrorCode::kInvalidArgument, "bad id '" + text + "'");
}

// The manifest's hash in the hash-chained log pins the bundle as written.
Status RecordExport(store::AuditLog& log, const std::string& actor, int64_t order_id,
                    const abuse::ExportSummary& summary) {
  store::AuditEntry entry;
  entry.time = UnixNow();
  entry.actor = actor;
  entry.action = "takedown.export";
  entry.reason = "order " + std::to_string(order_id) + " exported to " + summary.manifest.parent_path().string() +
                 ", manifest sha256 " + summary.manifest_sha256;
  entry.names = summary.names;
  auto appended = log.AppendAudit(entry);
  if (!appended) return tl::unexpected(appended.error());
  return Ok();
}

}  // namespace

Result<std::string> Admin::Actor(const control::Invocation& inv, control::CommandOutput& out) const {
  if (inv.as_user.empty()) return out.Caller().empty() ? std::string("admin") : out.Caller();
  auto user = directory_.UserByName(Lower(inv.as_user));
  if (!user) return MakeError(ErrorCode::kInvalidArgument, "--as: no user " + inv.as_user);
  if (user->role == store::Role::kUser) {
    return MakeError(ErrorCode::kInvalidArgument, "--as: " + user->name + " is not of the abuse desk (role abuse or admin)");
  }
  return user->name;
}

int Admin::TakedownPreview(const control::Invocation& inv, control::CommandOutput& out) {
  if (takedowns_ == nullptr) return Fail(out, "takedowns are not available in this server");
  auto actor = Actor(inv, out);
  if (!actor) return Failed(out, actor.error());
  abuse::PreviewRequest request;
  std::ifstream file(inv.list_file);
  if (!file) return Fail(out, "cannot read " + inv.list_file);
  for (std::string line; std::getline(file, line);) request.names.push_back(line);
  auto action = store::EnforceActionFromName(inv.action == "delegate" ? "delegated" : inv.action);
  if (!action) return Usage(out, "bad --action '" + inv.action + "'");
  request.action = *action;
  request.ns = inv.ns;
  request.reason = inv.reason;
  request.reference = inv.reference;
  if (!inv.expires.empty()) {
    auto expires = ParseTimeText(inv.expires, UnixNow());
    if (!expires) return Usage(out, expires.error().message);
    request.expires = *expires;
  }
  request.force = inv.force;
  request.author = *actor;
  auto preview = takedowns_->Preview(request);
  if (!preview) return Failed(out, preview.error());
  out.Out(preview->report + "preview: " + std::to_string(preview->id) + "\n");
  return kOk;
}

int Admin::TakedownApply(const control::Invocation& inv, control::CommandOutput& out) {
  if (takedowns_ == nullptr) return Fail(out, "takedowns are not available in this server");
  auto id = ParseId(inv.takedown_id);
  if (!id) return Usage(out, id.error().message);
  auto actor = Actor(inv, out);
  if (!actor) return Failed(out, actor.error());
  auto order = takedowns_->Apply(*id, *actor, inv.approve);
  if (!order) return Failed(out, order.error());
  out.Out("names: " + std::to_string(order->names.size()) + "\n" + order->serials + "order: " +
          std::to_string(order->id) + "\n");
  return kOk;
}

int Admin::TakedownRestore(const control::Invocation& inv, control::CommandOutput& out) {
  if (takedowns_ == nullptr) return Fail(out, "takedowns are not available in this server");
  auto id = ParseId(inv.takedown_id);
  if (!id) return Usage(out, id.error().message);
  auto actor = Actor(inv, out);
  if (!actor) return Failed(out, actor.error());
  auto order = takedowns_->Restore(*id, *actor, inv.reason.empty() ? "restored by hand" : inv.reason);
  if (!order) return Failed(out, order.error());
  out.Out("names: " + std::to_string(order->names.size()) + "\nrestored: " + std::to_string(order->id) + "\n");
  return kOk;
}

int Admin::TakedownExport(const control::Invocation& inv, control::CommandOutput& out) {
  auto id = ParseId(inv.takedown_id);
  if (!id) return Usage(out, id.error().message);
  const std::filesystem::path dir(inv.export_dir);
  if (!dir.is_absolute()) return Usage(out, "DIR must be an absolute path: " + inv.export_dir);
  auto actor = Actor(inv, out);
  if (!actor) return Failed(out, actor.error());
  auto summary = abuse::ExportTakedown(store_, updates_, *id, dir.lexically_normal(), UnixNow());
  if (!summary) return Failed(out, summary.error());
  if (auto recorded = RecordExport(store_.audit(), *actor, *id, *summary); !recorded) {
    return Fail(out, "the bundle is written, but recording it in the audit log failed: " + recorded.error().message);
  }
  out.Out("files: " + std::to_string(summary->files.size() + 1) + "\nmanifest: " + summary->manifest.string() +
          "\nsha256: " + summary->manifest_sha256 + "\n");
  return kOk;
}

int Admin::TakedownList(const control::Invocation& inv, control::CommandOutput& out) {
  auto all = store_.takedowns().ListTakedowns();
  if (!all) return Fail(out, all.error().message);
  std::string text = inv.json ? "[" : "";
  for (size_t i = 0; i < all->size(); ++i) {
    const store::Takedown& t = (*all)[i];
    const std::string expires = t.expires != 0 ? FormatTime(t.expires) : "never";
    if (inv.json) {
      text += std::string(i ? "," : "") + "\n  {\"id\": " + std::to_string(t.id) +
              ", \"status\": " + JsonString(store::TakedownStatusName(t.status)) +
              ", \"preview\": " + std::to_string(t.preview_id) +
              ", \"action\": " + JsonString(store::EnforceActionName(t.action)) +
              ", \"names\": " + std::to_string(t.names.size()) + ", \"author\": " + JsonString(t.author) +
              ", \"approver\": " + JsonString(t.approver) + ", \"created\": " + JsonString(FormatTime(t.created)) +
              ", \"expires\": " + JsonString(expires) + ", \"reference\": " + JsonString(t.reference) +
              ", \"forced\": " + (t.forced ? "true" : "false") + "}";
    } else {
      text += std::to_string(t.id) + '\t' + store::TakedownStatusName(t.status) + '\t' +
              store::EnforceActionName(t.action) + '\t' + std::to_string(t.names.size()) + '\t' + Field(t.author) +
              '\t' + Field(t.approver) + '\t' + FormatTime(t.created) + '\t' + expires + '\t' +
              Field(t.reference) + '\n';
    }
  }
  if (inv.json) text += all->empty() ? "]\n" : "\n]\n";
  out.Out(text);
  return kOk;
}

int Admin::AbuseScan(const control::Invocation& inv, control::CommandOutput& out) {
  auto actor = Actor(inv, out);
  if (!actor) return Failed(out, actor.error());
  const int64_t now = UnixNow();
  abuse::ScanOptions options;
  options.all = inv.scan_all;
  auto findings = abuse::ScanStore(accounts_, now, abuse::DetectionRules{}, asn_, options);
  if (!findings) return Fail(out, findings.error().message);
  size_t watched = 0;
  std::string text = inv.json ? "[" : "";
  for (size_t i = 0; i < findings->size(); ++i) {
    const abuse::Finding& finding = (*findings)[i];
    store::HostInfo host = finding.host;
    if (inv.scan_watch && finding.verdict.watch && host.abuse_state == store::AbuseState::kNone) {
      const std::string reason = "detection: " + finding.verdict.Summary();
      if (auto set = accounts_.SetAbuseState(host.id, store::AbuseState::kWatch, reason, now); !set) {
        return Fail(out, set.error().message);
      }
      if (auto current = directory_.Host(host.fqdn)) {
        current->abuse_state = store::AbuseState::kWatch;
        current->abuse_reason = reason;
        current->abuse_since = now;
        directory_.PutHost(*current);
        abuse::SyncQueryLogging(updates_, *current);
      }
      if (auto recorded = RecordAudit("host.state", {host.fqdn}, "watch: " + reason, *actor); !recorded) {
        return Fail(out, recorded.error().message);
      }
      host.abuse_state = store::AbuseState::kWatch;
      ++watched;
    }
    char score[32];
    std::snprintf(score, sizeof(score), "%.1f", finding.verdict.score());
    const char* state = store::AbuseStateName(host.abuse_state);
    if (inv.json) {
      std::string reasons;
      for (size_t r = 0; r < finding.verdict.reasons.size(); ++r) {
        reasons += (r ? ", " : "") + JsonString(finding.verdict.reasons[r]);
      }
      text += std::string(i ? "," : "") + "\n  {\"name\": " + JsonString(host.fqdn.ToText()) + ", \"score\": " +
              score + ", \"watch\": " + (finding.verdict.watch ? "true" : "false") + ", \"state\": " +
              JsonString(state) + ", \"reasons\": [" + reasons + "]}";
    } else {
      text += host.fqdn.ToText() + '\t' + score + '\t' + (finding.verdict.watch ? "watch" : "-") + '\t' + state +
              '\t' + Field(finding.verdict.Summary()) + '\n';
    }
  }
  if (inv.json) text += findings->empty() ? "]\n" : "\n]\n";
  out.Out(text);
  if (inv.scan_watch) out.Err("watched: " + std::to_string(watched) + "\n");
  return kOk;
}

}  // namespace tether::app
