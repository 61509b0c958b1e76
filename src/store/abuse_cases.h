// The abuse desk's cases and appeals (docs/abuse.md, "REST API"): the durable part.
//
// A case is a report about one name (anyone may file one through the REST API); the desk
// moves it from `open` to `acting` to `closed` with a note. An appeal is an account
// owner's request to lift the action on one of their hosts; the desk reverses or upholds
// it. The store keeps them as given: the REST API decides who may do what.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tether::store {

enum class CaseState { kOpen, kActing, kClosed };
const char* CaseStateName(CaseState state);
std::optional<CaseState> CaseStateFromName(std::string_view name);

struct AbuseCase {
  int64_t id = 0;
  int64_t created = 0;   // unix seconds
  std::string name;      // the reported name: absolute, lower-case
  std::string category;  // "malware", "phishing", "botnet", "spam", "fraud", "other"
  std::string evidence;  // text or a URL, as reported
  std::string contact;   // the reporter's, as given
  std::string source;    // the reporter's client address
  CaseState state = CaseState::kOpen;
  std::string note;        // the desk's last note
  std::string updated_by;  // who set the state last ("" while untouched)
  int64_t updated = 0;     // unix seconds of the last state change; 0: never

  bool operator==(const AbuseCase& other) const = default;
};

enum class AppealDecision { kPending, kReversed, kUpheld };
const char* AppealDecisionName(AppealDecision decision);
std::optional<AppealDecision> AppealDecisionFromName(std::string_view name);

struct Appeal {
  int64_t id = 0;
  int64_t created = 0;  // unix seconds
  std::string name;     // the host: absolute, lower-case
  int64_t user_id = 0;  // its owner, who filed the appeal
  std::string text;
  std::string state;  // the host's abuse state when filed: "enforced" or "frozen"
  int64_t order = 0;  // the takedown order enforcing it when filed; 0: none
  AppealDecision decision = AppealDecision::kPending;
  std::string note;        // the decision's note
  std::string decided_by;  // "" while pending
  int64_t decided = 0;     // unix seconds; 0: pending

  bool operator==(const Appeal& other) const = default;
};

class AbuseCaseStore {
 public:
  virtual ~AbuseCaseStore() = default;

  // Stores a new case or appeal (its id is ignored); returns it with its id.
  virtual Result<AbuseCase> CreateCase(const AbuseCase& abuse_case) = 0;
  // Rewrites state, note, updated_by and updated of a stored case; kNotFound if none.
  virtual Status UpdateCase(const AbuseCase& abuse_case) = 0;
  virtual Result<std::optional<AbuseCase>> GetCase(int64_t id) = 0;
  // Cases in `state` (every state if nullopt), newest first.
  virtual Result<std::vector<AbuseCase>> ListCases(std::optional<CaseState> state) = 0;

  virtual Result<Appeal> CreateAppeal(const Appeal& appeal) = 0;
  // Rewrites decision, note, decided_by and decided of a stored appeal; kNotFound if none.
  virtual Status UpdateAppeal(const Appeal& appeal) = 0;
  virtual Result<std::optional<Appeal>> GetAppeal(int64_t id) = 0;
  // The appeals of `user_id` (everyone's if nullopt), newest first.
  virtual Result<std::vector<Appeal>> ListAppeals(std::optional<int64_t> user_id) = 0;
};

}  // namespace tether::store
