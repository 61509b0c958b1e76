#include "store/abuse_cases.h"

#include "base/enum_names.h"

namespace tether::store {

namespace {
// Stored in the abuse_cases and appeals tables and accepted by the REST API; changing one
// needs a schema migration.
constexpr EnumNames<CaseState, 3> kCaseStates{
    {{{CaseState::kOpen, "open"}, {CaseState::kActing, "acting"}, {CaseState::kClosed, "closed"}}}};
constexpr EnumNames<AppealDecision, 3> kAppealDecisions{{{{AppealDecision::kPending, "pending"},
                                                          {AppealDecision::kReversed, "reversed"},
                                                          {AppealDecision::kUpheld, "upheld"}}}};
}  // namespace

const char* CaseStateName(CaseState state) { return kCaseStates.Name(state); }
std::optional<CaseState> CaseStateFromName(std::string_view name) {
  return kCaseStates.FromName(name);
}
const char* AppealDecisionName(AppealDecision decision) { return kAppealDecisions.Name(decision); }
std::optional<AppealDecision> AppealDecisionFromName(std::string_view name) {
  return kAppealDecisions.FromName(name);
}

}  // namespace tether::store
