// The abuse_cases and appeals rows as both stores (SQLite, PostgreSQL) write and read them
// (the pattern of store/account_rows.h): the columns in the order of the k*Columns lists.
// The decoders return nullopt for a damaged row; the store says where it was.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include "store/abuse_cases.h"
#include "store/account_rows.h"

namespace tether::store::abuse_case_rows {

inline constexpr const char* kCaseColumns =
    "id, created, name, category, evidence, contact, source, state, note, updated_by, updated";
inline constexpr const char* kAppealColumns =
    "id, created, name, user_id, text, host_state, order_id, decision, note, decided_by, decided";

template <class Row>
std::optional<AbuseCase> CaseRow(Row& row) {
  AbuseCase out;
  out.id = row.Int(0);
  out.created = row.Int(1);
  out.name = std::string(row.Text(2));
  out.category = std::string(row.Text(3));
  out.evidence = std::string(row.Text(4));
  out.contact = std::string(row.Text(5));
  out.source = std::string(row.Text(6));
  auto state = CaseStateFromName(row.Text(7));
  out.note = std::string(row.Text(8));
  out.updated_by = std::string(row.Text(9));
  out.updated = row.Int(10);
  if (!account_rows::RowOk(row) || !state) return std::nullopt;
  out.state = *state;
  return out;
}

template <class Row>
std::optional<Appeal> AppealRow(Row& row) {
  Appeal out;
  out.id = row.Int(0);
  out.created = row.Int(1);
  out.name = std::string(row.Text(2));
  out.user_id = row.Int(3);
  out.text = std::string(row.Text(4));
  out.state = std::string(row.Text(5));
  out.order = row.Int(6);
  auto decision = AppealDecisionFromName(row.Text(7));
  out.note = std::string(row.Text(8));
  out.decided_by = std::string(row.Text(9));
  out.decided = row.Int(10);
  if (!account_rows::RowOk(row) || !decision) return std::nullopt;
  out.decision = *decision;
  return out;
}

}  // namespace tether::store::abuse_case_rows
