// SqliteAccountStore as the abuse desk's case store (store/abuse_cases.h): writes are
// committer jobs, reads use the read connection, as for the takedowns.
#include "store/abuse_case_rows.h"
#include "store/sqlite/account_store.h"
#include "store/sqlite/job_sql.h"
#include "store/sqlite/writer.h"

namespace tether::store::sqlite {

template <class T>
Result<std::vector<T>> SqliteAccountStore::ReadRows(const std::string& sql,
                                                    const std::function<void(Statement&)>& bind,
                                                    std::optional<T> (*decode)(Statement&),
                                                    const char* what) {
  MutexLock lock(read_mu_);
  ASSIGN_OR_RETURN(Statement statement, read_db_.Prepare(sql));
  bind(statement);
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, statement.Step());
    if (!more) break;
    auto decoded = decode(statement);
    if (!decoded) {
      return MakeError(ErrorCode::kIo,
                       path_ + ": damaged " + what + " row " + std::to_string(statement.Int(0)));
    }
    out.push_back(std::move(*decoded));
  }
  return out;
}

// ---- cases ----

Result<AbuseCase> SqliteAccountStore::CreateCase(const AbuseCase& abuse_case) {
  AbuseCase created = abuse_case;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(
        writer,
        "INSERT INTO abuse_cases(created, name, category, evidence, contact, source, state, note, "
        "updated_by, updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        [&](Statement& s) {
          s.Bind(1, created.created);
          s.BindText(2, created.name);
          s.BindText(3, created.category);
          s.BindText(4, created.evidence);
          s.BindText(5, created.contact);
          s.BindText(6, created.source);
          s.BindText(7, CaseStateName(created.state));
          s.BindText(8, created.note);
          s.BindText(9, created.updated_by);
          s.Bind(10, created.updated);
        }));
    ASSIGN_OR_RETURN(created.id, LastRowId(writer));
    return Ok();
  }));
  return created;
}

Status SqliteAccountStore::UpdateCase(const AbuseCase& abuse_case) {
  return committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(
        writer,
        "UPDATE abuse_cases SET state = ?2, note = ?3, updated_by = ?4, updated = ?5 WHERE id = ?1",
        [&](Statement& s) {
          s.Bind(1, abuse_case.id);
          s.BindText(2, CaseStateName(abuse_case.state));
          s.BindText(3, abuse_case.note);
          s.BindText(4, abuse_case.updated_by);
          s.Bind(5, abuse_case.updated);
        }));
    return ChangedOne(writer, "case " + std::to_string(abuse_case.id));
  });
}

Result<std::optional<AbuseCase>> SqliteAccountStore::GetCase(int64_t id) {
  ASSIGN_OR_RETURN(auto found, ReadRows<AbuseCase>(
                                   std::string("SELECT ") + abuse_case_rows::kCaseColumns +
                                       " FROM abuse_cases WHERE id = ?1",
                                   [&](Statement& s) { s.Bind(1, id); },
                                   abuse_case_rows::CaseRow<Statement>, "case"));
  if (found.empty()) return std::optional<AbuseCase>();
  return std::optional<AbuseCase>(std::move(found.front()));
}

Result<std::vector<AbuseCase>> SqliteAccountStore::ListCases(std::optional<CaseState> state) {
  return ReadRows<AbuseCase>(
      std::string("SELECT ") + abuse_case_rows::kCaseColumns +
          " FROM abuse_cases WHERE ?1 = '' OR state = ?1 ORDER BY id DESC",
      [&](Statement& s) { s.BindText(1, state ? CaseStateName(*state) : ""); },
      abuse_case_rows::CaseRow<Statement>, "case");
}

// ---- appeals ----

Result<Appeal> SqliteAccountStore::CreateAppeal(const Appeal& appeal) {
  Appeal created = appeal;
  RETURN_IF_ERROR(committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(
        writer,
        "INSERT INTO appeals(created, name, user_id, text, host_state, order_id, decision, note, "
        "decided_by, decided) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        [&](Statement& s) {
          s.Bind(1, created.created);
          s.BindText(2, created.name);
          s.Bind(3, created.user_id);
          s.BindText(4, created.text);
          s.BindText(5, created.state);
          s.Bind(6, created.order);
          s.BindText(7, AppealDecisionName(created.decision));
          s.BindText(8, created.note);
          s.BindText(9, created.decided_by);
          s.Bind(10, created.decided);
        }));
    ASSIGN_OR_RETURN(created.id, LastRowId(writer));
    return Ok();
  }));
  return created;
}

Status SqliteAccountStore::UpdateAppeal(const Appeal& appeal) {
  return committer_.Run([&](Writer& writer) -> Status {
    RETURN_IF_ERROR(RunSql(
        writer,
        "UPDATE appeals SET decision = ?2, note = ?3, decided_by = ?4, decided = ?5 WHERE id = ?1",
        [&](Statement& s) {
          s.Bind(1, appeal.id);
          s.BindText(2, AppealDecisionName(appeal.decision));
          s.BindText(3, appeal.note);
          s.BindText(4, appeal.decided_by);
          s.Bind(5, appeal.decided);
        }));
    return ChangedOne(writer, "appeal " + std::to_string(appeal.id));
  });
}

Result<std::optional<Appeal>> SqliteAccountStore::GetAppeal(int64_t id) {
  ASSIGN_OR_RETURN(
      auto found,
      ReadRows<Appeal>(
          std::string("SELECT ") + abuse_case_rows::kAppealColumns + " FROM appeals WHERE id = ?1",
          [&](Statement& s) { s.Bind(1, id); }, abuse_case_rows::AppealRow<Statement>, "appeal"));
  if (found.empty()) return std::optional<Appeal>();
  return std::optional<Appeal>(std::move(found.front()));
}

Result<std::vector<Appeal>> SqliteAccountStore::ListAppeals(std::optional<int64_t> user_id) {
  return ReadRows<Appeal>(
      std::string("SELECT ") + abuse_case_rows::kAppealColumns +
          " FROM appeals WHERE ?1 = 0 OR user_id = ?2 ORDER BY id DESC",
      [&](Statement& s) {
        s.Bind(1, user_id ? 1 : 0);
        s.Bind(2, user_id.value_or(0));
      },
      abuse_case_rows::AppealRow<Statement>, "appeal");
}

}  // namespace tether::store::sqlite
