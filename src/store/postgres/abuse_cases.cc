// PostgresAccountStore as the abuse desk's case store (store/abuse_cases.h), with the
// SQLite store's semantics: writes are committer jobs, reads use the read connection. Cases
// and appeals are read from the database on every request, so they need no change feed.
#include "store/abuse_case_rows.h"
#include "store/postgres/account_store.h"
#include "store/postgres/rows.h"

namespace tether::store::postgres {

namespace {

Result<int64_t> ReturnedId(Result<Rows> rows, const std::string& what) {
  if (!rows) return tl::unexpected(rows.error());
  if (rows->size() != 1) return Damaged("id of a new " + what);
  Row row = rows->At(0);
  const int64_t id = row.Int(0);
  if (!row.ok()) return Damaged("id of a new " + what);
  return id;
}

}  // namespace

template <class T>
Result<std::vector<T>> PostgresAccountStore::ReadRows(const std::string& sql, const Params& params,
                                                      std::optional<T> (*decode)(Row&),
                                                      const char* what) {
  MutexLock lock(read_mu_);
  if (!read_conn_.Healthy())
    return MakeError(ErrorCode::kUnavailable, "postgresql: the connection is lost");
  ASSIGN_OR_RETURN(Rows rows, read_conn_.Query(sql, params));
  std::vector<T> out;
  for (int i = 0; i < rows.size(); ++i) {
    Row row = rows.At(i);
    auto decoded = decode(row);
    if (!decoded) return Damaged(std::string(what) + " row " + std::to_string(row.Int(0)));
    out.push_back(std::move(*decoded));
  }
  return out;
}

// ---- cases ----

Result<AbuseCase> PostgresAccountStore::CreateCase(const AbuseCase& abuse_case) {
  AbuseCase created = abuse_case;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(
        created.id,
        ReturnedId(conn.Query("INSERT INTO abuse_cases(created, name, category, evidence, "
                              "contact, source, state, note, updated_by, updated) "
                              "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                              Params()
                                  .Int(created.created)
                                  .Text(created.name)
                                  .Text(created.category)
                                  .Text(created.evidence)
                                  .Text(created.contact)
                                  .Text(created.source)
                                  .Text(CaseStateName(created.state))
                                  .Text(created.note)
                                  .Text(created.updated_by)
                                  .Int(created.updated)),
                   "case"));
    return Ok();
  }));
  return created;
}

Status PostgresAccountStore::UpdateCase(const AbuseCase& abuse_case) {
  return committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("UPDATE abuse_cases SET state = $2, note = $3, updated_by = $4, "
                                "updated = $5 WHERE id = $1 RETURNING id",
                                Params()
                                    .Int(abuse_case.id)
                                    .Text(CaseStateName(abuse_case.state))
                                    .Text(abuse_case.note)
                                    .Text(abuse_case.updated_by)
                                    .Int(abuse_case.updated)));
    if (rows.size() == 0)
      return MakeError(ErrorCode::kNotFound, "no case " + std::to_string(abuse_case.id));
    return Ok();
  });
}

Result<std::optional<AbuseCase>> PostgresAccountStore::GetCase(int64_t id) {
  ASSIGN_OR_RETURN(auto found,
                   ReadRows<AbuseCase>(std::string("SELECT ") + abuse_case_rows::kCaseColumns +
                                           " FROM abuse_cases WHERE id = $1",
                                       Params().Int(id), abuse_case_rows::CaseRow<Row>, "case"));
  if (found.empty()) return std::optional<AbuseCase>();
  return std::optional<AbuseCase>(std::move(found.front()));
}

Result<std::vector<AbuseCase>> PostgresAccountStore::ListCases(std::optional<CaseState> state) {
  return ReadRows<AbuseCase>(std::string("SELECT ") + abuse_case_rows::kCaseColumns +
                                 " FROM abuse_cases WHERE $1 = '' OR state = $1 ORDER BY id DESC",
                             Params().Text(state ? CaseStateName(*state) : ""),
                             abuse_case_rows::CaseRow<Row>, "case");
}

// ---- appeals ----

Result<Appeal> PostgresAccountStore::CreateAppeal(const Appeal& appeal) {
  Appeal created = appeal;
  RETURN_IF_ERROR(committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(
        created.id,
        ReturnedId(conn.Query("INSERT INTO appeals(created, name, user_id, text, host_state, "
                              "order_id, decision, note, decided_by, decided) "
                              "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                              Params()
                                  .Int(created.created)
                                  .Text(created.name)
                                  .Int(created.user_id)
                                  .Text(created.text)
                                  .Text(created.state)
                                  .Int(created.order)
                                  .Text(AppealDecisionName(created.decision))
                                  .Text(created.note)
                                  .Text(created.decided_by)
                                  .Int(created.decided)),
                   "appeal"));
    return Ok();
  }));
  return created;
}

Status PostgresAccountStore::UpdateAppeal(const Appeal& appeal) {
  return committer_.Run([&](Conn& conn) -> Status {
    ASSIGN_OR_RETURN(Rows rows,
                     conn.Query("UPDATE appeals SET decision = $2, note = $3, decided_by = $4, "
                                "decided = $5 WHERE id = $1 RETURNING id",
                                Params()
                                    .Int(appeal.id)
                                    .Text(AppealDecisionName(appeal.decision))
                                    .Text(appeal.note)
                                    .Text(appeal.decided_by)
                                    .Int(appeal.decided)));
    if (rows.size() == 0)
      return MakeError(ErrorCode::kNotFound, "no appeal " + std::to_string(appeal.id));
    return Ok();
  });
}

Result<std::optional<Appeal>> PostgresAccountStore::GetAppeal(int64_t id) {
  ASSIGN_OR_RETURN(auto found,
                   ReadRows<Appeal>(std::string("SELECT ") + abuse_case_rows::kAppealColumns +
                                        " FROM appeals WHERE id = $1",
                                    Params().Int(id), abuse_case_rows::AppealRow<Row>, "appeal"));
  if (found.empty()) return std::optional<Appeal>();
  return std::optional<Appeal>(std::move(found.front()));
}

Result<std::vector<Appeal>> PostgresAccountStore::ListAppeals(std::optional<int64_t> user_id) {
  return ReadRows<Appeal>(std::string("SELECT ") + abuse_case_rows::kAppealColumns +
                              " FROM appeals WHERE $1 = 0 OR user_id = $2 ORDER BY id DESC",
                          Params().Int(user_id ? 1 : 0).Int(user_id.value_or(0)),
                          abuse_case_rows::AppealRow<Row>, "appeal");
}

}  // namespace tether::store::postgres
