#include "plugin/databases/sqlite_check.hpp"

#include <sqlite3.h>

#include <memory>
#include <vector>

namespace agentchat {

namespace {

using Connection = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

// Every row's first column; false (with SQLite's message) when the statement fails.
bool rows(sqlite3* db, const char* sql, std::vector<std::string>& out, std::string& error) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    return false;
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(statement, sqlite3_finalize);
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  if (rc != SQLITE_DONE) {
    error = sqlite3_errmsg(db);
    return false;
  }
  return true;
}

}  // namespace

SqliteIntegrity checkSqliteCopy(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  Connection db(raw, sqlite3_close_v2);
  if (rc != SQLITE_OK) return {false, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)};
  std::vector<std::string> checkpoint, check;
  std::string error;
  // The first read replays the WAL or rolls back a hot journal; the checkpoint then moves
  // everything into the file ("0|-1|-1" for a database not in WAL mode: nothing to do).
  if (!rows(db.get(), "PRAGMA wal_checkpoint(TRUNCATE)", checkpoint, error)) return {false, error};
  if (!checkpoint.empty() && checkpoint.front() != "0")
    return {false, "the WAL could not be checkpointed into the database (busy)"};
  if (!rows(db.get(), "PRAGMA integrity_check", check, error)) return {false, error};
  if (check.size() != 1 || check.front() != "ok")
    return {false, check.empty() ? "integrity_check returned nothing" : "integrity_check: " + check.front()};
  return {true, {}};
}

}  // namespace agentchat
