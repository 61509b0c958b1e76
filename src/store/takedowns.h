// Takedown previews and orders (abuse/takedown.h, docs/abuse.md): the durable part.
//
// A preview is the dry run of a list of names with an action; an order is a preview
// applied. Both are rows of one table and share one id sequence, so `preview: 7` and
// `order: 8` never name the same thing. The store keeps them as given: the abuse engine
// decides what they mean. An order keeps the records its names had before it was applied
// (`snapshot`, master-file text), written before the records change, so that restoring it
// puts back exactly those, also after a crash in between.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/accounts.h"

namespace tether::store {

enum class TakedownStatus {
  kPreview,    // a dry run; may be applied while it is fresh
  kApplying,   // an order whose snapshot is stored; its records may or may not have changed
  kApplied,    // in force
  kRestoring,  // being lifted; its records may or may not be back
  kRestored,   // lifted (by hand, on expiry or on a reversed appeal)
};
const char* TakedownStatusName(TakedownStatus status);
std::optional<TakedownStatus> TakedownStatusFromName(std::string_view name);

struct Takedown {
  int64_t id = 0;
  TakedownStatus status = TakedownStatus::kPreview;
  int64_t preview_id = 0;  // an order's preview; 0 for a preview
  int64_t created = 0;     // unix seconds
  std::string author;      // who made the preview
  std::string approver;    // the second person who approved the order ("" if none needed)
  EnforceAction action = EnforceAction::kNxdomain;
  std::vector<std::string> ns;  // kDelegated: the name servers (absolute names)
  std::string reason;
  std::string reference;   // e.g. a court case number
  int64_t expires = 0;     // unix seconds; 0: until restored by hand
  bool forced = false;     // names other than service-zone hosts were allowed (--force)
  std::vector<std::string> names;  // the listed names, absolute, lower-case, as given
  std::string report;              // a preview's report as printed
  std::string snapshot;            // an order's records before it (master-file text)
  std::string serials;             // "origin before after" per zone and step, one per line
  int64_t applied = 0;             // unix seconds; 0: not yet
  int64_t restored = 0;

  bool is_order() const { return status != TakedownStatus::kPreview; }
  bool operator==(const Takedown& other) const = default;
};

class TakedownStore {
 public:
  virtual ~TakedownStore() = default;

  // Stores a new preview or order; returns it with its id.
  virtual Result<Takedown> CreateTakedown(const Takedown& takedown) = 0;
  // Rewrites the changing fields of a stored one (status, approver, serials, applied,
  // restored), not its snapshot; kNotFound if there is none with its id.
  virtual Status UpdateTakedown(const Takedown& takedown) = 0;
  // Replaces an order's snapshot; kNotFound if there is no takedown `id`. Apart from
  // UpdateTakedown: a snapshot is megabytes, written once and rarely appended to, while the
  // status changes at every step.
  virtual Status SetTakedownSnapshot(int64_t id, const std::string& snapshot) = 0;
  virtual Result<std::optional<Takedown>> GetTakedown(int64_t id) = 0;
  // Every stored one without report and snapshot (they can be large), newest first.
  virtual Result<std::vector<Takedown>> ListTakedowns() = 0;
  // The applied orders whose expiry is set and has come by `now` (unix seconds), oldest
  // first, as ListTakedowns gives them. Read every few seconds: it reads no other row's names.
  virtual Result<std::vector<Takedown>> ExpiredTakedowns(int64_t now) = 0;
};

}  // namespace tether::store
