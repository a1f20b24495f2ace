// SQLite databases in volumes (issue #20), without an engine: found by their header in a tar
// stream, copies checked with SQLite (WAL replayed, hot journal rolled back, damage caught), owners
// carried through the part's tar, and the restore plan that lays a sqlite part over its volume.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <fstream>

#include "base/tar_walker.hpp"
#include "plugin/databases/sqlite_check.hpp"
#include "plugin/databases/sqlite_files.hpp"
#include "plugin/restore/restore_plan.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/guarded_tar.hpp"
#include "volumes/host_archive.hpp"

namespace {

using namespace agentchat;
namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One connection, closed at scope end; statements must succeed.
class Db {
 public:
  explicit Db(const fs::path& file) {
    if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
  }
  ~Db() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string what = error ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(what);
    }
  }
  long long count(const std::string& table) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, ("SELECT count(*) FROM " + table).c_str(), -1, &s, nullptr);
    sqlite3_step(s);
    long long n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
  }

 private:
  sqlite3* db_ = nullptr;
};

class BytesReader : public volumes::StoredReader {
 public:
  explicit BytesReader(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* buffer, std::size_t capacity) override {
    std::size_t n = std::min(capacity, bytes_.size() - at_);
    std::memcpy(buffer, bytes_.data() + at_, n);
    at_ += n;
    return n;
  }
  const std::string& where() const override { return where_; }

 private:
  std::string bytes_, where_ = "bytes";
  std::size_t at_ = 0;
};

std::string readAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void writeAll(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// A database of a few pages with `rows` rows in table t.
void makeDatabase(const fs::path& file, int rows, const std::string& journalMode = "DELETE") {
  Db db(file);
  db.exec("PRAGMA journal_mode=" + journalMode + "; CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB);");
  db.exec("BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
          std::to_string(rows) + ") INSERT INTO t(pad) SELECT randomblob(300) FROM n; COMMIT;");
}

// A tar of `files` (name -> bytes) as the engine would stream a volume.
std::string tarOf(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<volumes::StreamEntry> entries;
  for (const auto& [name, bytes] : files) {
    entries.push_back({name, bytes.size(),
                       [bytes = bytes] {
                         return std::unique_ptr<volumes::StoredReader>(std::make_unique<BytesReader>(bytes));
                       },
                       std::nullopt});
  }
  std::string tar;
  volumes::archiveStreams(entries, [&](std::string_view chunk) { tar.append(chunk); });
  return tar;
}

std::vector<std::string> namesFound(const std::string& tar, std::size_t chunk) {
  SqliteScan scan;
  for (std::size_t at = 0; at < tar.size(); at += chunk) scan.feed(std::string_view(tar).substr(at, chunk));
  std::vector<std::string> names;
  for (const auto& e : scan.found()) names.push_back(e.name);
  return names;
}

TEST(SqliteScan, FindsDatabasesByTheirHeaderNotTheirNameAndSkipsTheirCompanions) {
  agentchat_test::TempDir dir;
  makeDatabase(dir.path() / "db", 20);
  std::string db = readAll(dir.path() / "db");
  std::string almost = db;
  almost[15] = 'x';  // "SQLite format 3" without its NUL: not a database
  auto tar = tarOf({{"./data/vault.sqlite3", db},
                    {"./data/vault.sqlite3-wal", db},  // a WAL is no database, whatever it starts with
                    {"./data/vault.sqlite3-journal", db},
                    {"./data/vault.sqlite3-shm", db},
                    {"./notes.txt", std::string(4096, 'a')},
                    {"./kuma.db.bak", db},                    // a database under any name
                    {"./short", std::string(kSqliteHeader)},  // shorter than a page
                    {"./not-quite", almost}});
  EXPECT_THAT(namesFound(tar, 1 << 20), ElementsAre("./data/vault.sqlite3", "./kuma.db.bak"));
  // The header split over chunks of any size, as the engine's stream arrives.
  EXPECT_THAT(namesFound(tar, 1), ElementsAre("./data/vault.sqlite3", "./kuma.db.bak"));
  EXPECT_THAT(namesFound(tar, 7), ElementsAre("./data/vault.sqlite3", "./kuma.db.bak"));
}

TEST(SqliteScan, OwnerModeAndTimeOfAFileSurviveIntoTheCopysTar) {
  std::vector<volumes::StreamEntry> entries{
      {"./data/app.db", 3,
       [] { return std::unique_ptr<volumes::StoredReader>(std::make_unique<BytesReader>("abc")); },
       volumes::StreamEntry::Owner{0640, 1000, 2000, 1600000000}}};
  std::string tar;
  volumes::archiveStreams(entries, [&](std::string_view chunk) { tar.append(chunk); });
  std::vector<base::TarEntry> seen;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        seen.push_back(e);
        return false;
      },
      [](std::string_view) {});
  walker.feed(tar);
  walker.finish();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].name, "./data/app.db");
  EXPECT_EQ(seen[0].mode, 0640u);
  EXPECT_EQ(seen[0].uid, 1000u);
  EXPECT_EQ(seen[0].gid, 2000u);
  EXPECT_EQ(seen[0].mtime, 1600000000);
}

TEST(SqliteCheck, AGoodCopyPasses) {
  agentchat_test::TempDir dir;
  makeDatabase(dir.path() / "db", 200);
  auto check = checkSqliteCopy(dir.path() / "db");
  EXPECT_TRUE(check.ok) << check.problem;
}

TEST(SqliteCheck, ADamagedCopyFailsWithSqlitesWords) {
  agentchat_test::TempDir dir;
  makeDatabase(dir.path() / "db", 200);
  std::string bytes = readAll(dir.path() / "db");
  ASSERT_GT(bytes.size(), 8192u);
  // The second page (the table's b-tree) overwritten: a torn write.
  for (std::size_t i = 4096; i < 8192; ++i) bytes[i] = static_cast<char>(i * 7);
  writeAll(dir.path() / "db", bytes);
  auto check = checkSqliteCopy(dir.path() / "db");
  EXPECT_FALSE(check.ok);
  EXPECT_FALSE(check.problem.empty());

  writeAll(dir.path() / "not-a-db", std::string(kSqliteHeader) + std::string(4000, '\x55'));
  EXPECT_FALSE(checkSqliteCopy(dir.path() / "not-a-db").ok);
  EXPECT_FALSE(checkSqliteCopy(dir.path() / "missing").ok);
}

TEST(SqliteCheck, AWalCopiedBesideTheFileIsReplayedIntoIt) {
  agentchat_test::TempDir dir;
  fs::create_directory(dir.path() / "live");
  fs::create_directory(dir.path() / "copy");
  makeDatabase(dir.path() / "live" / "db", 10, "WAL");
  Db live(dir.path() / "live" / "db");  // held open: the WAL is not checkpointed away
  live.exec("PRAGMA wal_autocheckpoint=0; INSERT INTO t(pad) SELECT pad FROM t;");
  ASSERT_GT(fs::file_size(dir.path() / "live" / "db-wal"), 0u);
  // The file and its WAL, as the paused copy takes them (no -shm: SQLite rebuilds it).
  fs::copy_file(dir.path() / "live" / "db", dir.path() / "copy" / "db");
  fs::copy_file(dir.path() / "live" / "db-wal", dir.path() / "copy" / "db-wal");

  auto check = checkSqliteCopy(dir.path() / "copy" / "db");
  ASSERT_TRUE(check.ok) << check.problem;
  // The file alone now holds every committed row.
  EXPECT_FALSE(fs::exists(dir.path() / "copy" / "db-wal") &&
               fs::file_size(dir.path() / "copy" / "db-wal") > 0);
  fs::create_directory(dir.path() / "alone");
  fs::copy_file(dir.path() / "copy" / "db", dir.path() / "alone" / "db");
  EXPECT_EQ(Db(dir.path() / "alone" / "db").count("t"), 20);
}

TEST(SqliteCheck, AHotJournalCopiedBesideTheFileIsRolledBack) {
  agentchat_test::TempDir dir;
  fs::create_directory(dir.path() / "live");
  fs::create_directory(dir.path() / "copy");
  makeDatabase(dir.path() / "live" / "db", 300);
  Db live(dir.path() / "live" / "db");
  // A transaction larger than the page cache: SQLite writes changed pages into the file before the
  // commit, the originals kept in the journal. A copy taken now has half a transaction in the file.
  live.exec("PRAGMA cache_size=2; BEGIN; UPDATE t SET pad = randomblob(900); DELETE FROM t WHERE id > 100;");
  ASSERT_TRUE(fs::exists(dir.path() / "live" / "db-journal"));
  fs::copy_file(dir.path() / "live" / "db", dir.path() / "copy" / "db");
  fs::copy_file(dir.path() / "live" / "db-journal", dir.path() / "copy" / "db-journal");

  auto check = checkSqliteCopy(dir.path() / "copy" / "db");
  ASSERT_TRUE(check.ok) << check.problem;
  EXPECT_FALSE(fs::exists(dir.path() / "copy" / "db-journal"));
  EXPECT_EQ(Db(dir.path() / "copy" / "db").count("t"), 300);  // as before the transaction
  live.exec("ROLLBACK");
}

// A manifest with a volume, its sqlite part and the details naming the databases in it.
volumes::Manifest withSqlitePart() {
  volumes::Manifest m;
  m.id = "20260101T000000Z";
  m.project = "p";
  m.parts = {{"volume-notes.tar.zst", "volume", "notes", "p_notes", 1, 1, std::string(64, 'a'), "", "", 0},
             {"sqlite-notes.tar.zst", "sqlite", "notes", "p_notes", 1, 1, std::string(64, 'b'), "", "", 0},
             {"volume-other.tar.zst", "volume", "other", "p_other", 1, 1, std::string(64, 'c'), "", "", 0}};
  m.details["sqlite"]["volume-notes.tar.zst"] = {
      {{"path", "data/app.db"}, {"method", "backup-api"}, {"bytes", 4096}, {"integrity", "ok"}}};
  return m;
}

compose::Stack notesStack() {
  compose::Stack s;
  s.name = "p";
  s.volumes["notes"] = {"notes", "p_notes", "local", false, true, {}, {{"notes", "/app/notes"}}};
  s.volumes["other"] = {"other", "p_other", "local", false, true, {}, {}};
  s.services["notes"].name = "notes";
  return s;
}

TEST(SqliteRestorePlan, TheSqlitePartFollowsItsVolumeWhichLeavesOutTheStaleCompanions) {
  auto plan = planRestore(withSqlitePart(), notesStack(), parseRestoreSelection(""));
  ASSERT_EQ(plan.items.size(), 3u);
  EXPECT_EQ(plan.items[0].part.name, "volume-notes.tar.zst");
  EXPECT_THAT(plan.items[0].sqliteFiles, ElementsAre("data/app.db"));
  EXPECT_EQ(plan.items[1].part.name, "sqlite-notes.tar.zst");
  EXPECT_EQ(plan.items[1].kind, volumes::PartKind::Sqlite);
  EXPECT_EQ(plan.items[1].volume, "p_notes");
  EXPECT_TRUE(plan.items[2].sqliteFiles.empty());

  auto one = planRestore(withSqlitePart(), notesStack(), parseRestoreSelection("volume:notes"));
  ASSERT_EQ(one.items.size(), 2u);
  EXPECT_EQ(one.items[1].kind, volumes::PartKind::Sqlite);
  auto other = planRestore(withSqlitePart(), notesStack(), parseRestoreSelection("volume:other"));
  ASSERT_EQ(other.items.size(), 1u);
}

TEST(SqliteRestorePlan, ABackupWithoutASqlitePartRestoresItsVolumeWhole) {
  auto old = withSqlitePart();
  old.parts.erase(old.parts.begin() + 1);
  old.details.erase("sqlite");
  auto plan = planRestore(old, notesStack(), parseRestoreSelection(""));
  ASSERT_EQ(plan.items.size(), 2u);
  EXPECT_TRUE(plan.items[0].sqliteFiles.empty());
}

TEST(SqliteRestorePlan, TheVolumeStreamLeavesOutOnlyWhatItIsTold) {
  auto tar = tarOf({{"./data/app.db", "db"}, {"./data/app.db-wal", "wal"}, {"./data/other.db-wal", "x"}});
  volumes::GuardedTarSource guarded(base::bytesSource(tar), {},
                                    [](const std::string& name) { return name == "./data/app.db-wal"; });
  std::string out;
  std::vector<char> buffer(4096);
  while (std::size_t n = guarded.read(buffer.data(), buffer.size())) out.append(buffer.data(), n);
  std::vector<std::string> names;
  base::TarWalker walker(
      [&](const base::TarEntry& e) {
        names.push_back(e.name);
        return false;
      },
      [](std::string_view) {});
  walker.feed(out);
  walker.finish();
  EXPECT_THAT(names, ElementsAre("./data/app.db", "./data/other.db-wal"));
}

}  // namespace
