#pragma once
// A private temporary SQLite database (SQLite deletes it when it is closed) with a bounded page
// cache: for sets of names that may not fit in memory, such as a prune's live chunks or the keys a
// bucket's rows name. Statements are prepared once and kept. `Error` is what the caller throws; its
// message starts with `what`.
#include <sqlite3.h>

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace volumes {

template <typename Error>
class TemporaryDatabase {
 public:
  // `schema` runs first (tables), then a transaction opens: nothing is synced to the disk.
  TemporaryDatabase(std::string what, const char* schema) : what_(std::move(what)) {
    if (sqlite3_open("", &db_) != SQLITE_OK) fail("cannot open it");
    exec("PRAGMA cache_size = -4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF");
    exec(schema);
    exec("BEGIN");
  }
  ~TemporaryDatabase() {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }
  TemporaryDatabase(const TemporaryDatabase&) = delete;
  TemporaryDatabase& operator=(const TemporaryDatabase&) = delete;

  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  // Runs `sql` with these text parameters: true when it gave a row. `changes()` then counts the
  // rows an INSERT or UPDATE changed.
  bool run(const char* sql, std::initializer_list<std::string_view> values) {
    sqlite3_stmt* st = prepared(sql);
    int at = 0;
    for (auto v : values) sqlite3_bind_text(st, ++at, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(sql);
    return rc == SQLITE_ROW;
  }
  int changes() const { return sqlite3_changes(db_); }
  // Every row of `sql` (no parameters), its columns as text.
  template <typename Row>
  void each(const char* sql, const Row& row) {
    sqlite3_stmt* st = prepared(sql);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      auto text = [st](int column) {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, column));
        return std::string(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(st, column)));
      };
      row(text);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) fail(sql);
  }

 private:
  sqlite3_stmt* prepared(const char* sql) {
    auto& st = statements_[sql];
    if (!st && sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) fail(sql);
    return st;
  }
  [[noreturn]] void fail(const std::string& doing) {
    throw Error(what_ + " (a temporary database): " + doing + ": " + sqlite3_errmsg(db_));
  }

  std::string what_;
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> statements_;  // by SQL text
};

}  // namespace volumes
