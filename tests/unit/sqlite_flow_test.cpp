// The SQLite part of a backup on the fake engine: the app's own sqlite3 takes the copy when it has
// one (no pause, its temporary file removed), else the app is paused for the copy and resumed; a
// database that fails its check twice fails the backup with the app running again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "plugin/backup/backup_runner.hpp"
#include "tests/support/fake_stack.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/local_repository.hpp"

namespace {

using namespace agentchat;
using agentchat_test::FakeEngine;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// The bytes of a small database file with `rows` rows.
std::string databaseBytes(const fs::path& dir, int rows) {
  fs::path file = dir / "make.db";
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  sqlite3_exec(
      db,
      ("CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
       "SELECT i + 1 FROM n WHERE i < " +
       std::to_string(rows) + ") INSERT INTO t(pad) SELECT randomblob(200) FROM n;")
          .c_str(),
      nullptr, nullptr, nullptr);
  sqlite3_close(db);
  std::ifstream in(file, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), {}};
  fs::remove(file);
  return bytes;
}

struct NotesWorld {
  agentchat_test::TempDir dir;
  FakeEngine engine;
  agentchat_test::FakeStack notes{engine, "notes"};
  volumes::LocalRepository repository{dir.path() / "repository"};
  std::string db = databaseBytes(dir.path(), 50);

  NotesWorld() {
    notes.service("app", compose::Role::App, "notes/app:1", {{"data", "/app/data"}});
    engine.volume("notes_data").write("db/notes.sqlite", db);
    engine.volume("notes_data").write("db/notes.sqlite-journal", "a torn journal");
    engine.volume("notes_data").write("readme.txt", "not a database");
  }

  volumes::Manifest backup() {
    BackupOptions options{Consistency::Online, {Component::Volumes}};
    return runBackup(engine, notes.stack(), repository, planBackup(notes.stack(), options), BackupSettings{});
  }

  std::vector<std::string> called(const std::string& call) {
    std::vector<std::string> out;
    for (const auto& c : engine.calls()) {
      if (c.call == call) out.push_back(c.target + (c.detail.empty() ? "" : " " + c.detail));
    }
    return out;
  }
};

TEST(SqliteFlow, WithoutSqlite3InTheAppItIsPausedForTheCopyAndResumed) {
  NotesWorld world;
  auto manifest = world.backup();
  ASSERT_NE(manifest.part("sqlite-data.tar.zst"), nullptr);
  EXPECT_EQ(manifest.part("sqlite-data.tar.zst")->kind, "sqlite");
  const auto& files = manifest.details.at("sqlite").at("volume-data.tar.zst");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]["path"], "db/notes.sqlite");
  EXPECT_EQ(files[0]["method"], "paused-copy");
  EXPECT_EQ(files[0]["integrity"], "ok");
  EXPECT_EQ(world.called("pauseContainer").size(), 1u);
  EXPECT_EQ(world.called("unpauseContainer").size(), 1u);
  EXPECT_EQ(world.engine.container("notes-app-1").state, "running");
  // The sqlite part comes right after its volume in the manifest.
  ASSERT_EQ(manifest.parts.size(), 2u);
  EXPECT_EQ(manifest.parts[0].name, "volume-data.tar.zst");
}

TEST(SqliteFlow, WithSqlite3InTheAppItsBackupApiTakesTheCopyWithoutAPause) {
  NotesWorld world;
  std::vector<std::string> removed;
  world.engine.onExec([&](const agentchat_test::ExecRequest& r) -> std::optional<agentchat_test::ExecReply> {
    if (r.cmd.size() == 2 && r.cmd[0] == "sqlite3" && r.cmd[1] == "-version")
      return agentchat_test::ExecReply{"3.40.1\n", "", 0};
    if (!r.cmd.empty() && r.cmd[0] == "sqlite3") {
      EXPECT_EQ(r.cmd.at(2), "/app/data/db/notes.sqlite");
      // ".backup '/tmp/agentchat-sqlite-….db'"
      std::string target = r.cmd.at(4).substr(9, r.cmd.at(4).size() - 10);
      world.engine.writeFile(r.container, target,
                             *world.engine.readFile(r.container, "/app/data/db/notes.sqlite"));
      return agentchat_test::ExecReply{};
    }
    if (!r.cmd.empty() && r.cmd[0] == "rm") {
      removed.push_back(r.cmd.back());
      return agentchat_test::ExecReply{};
    }
    return std::nullopt;
  });
  auto manifest = world.backup();
  const auto& files = manifest.details.at("sqlite").at("volume-data.tar.zst");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0]["method"], "backup-api");
  EXPECT_EQ(files[0]["container"], "notes-app-1");
  EXPECT_TRUE(world.called("pauseContainer").empty());
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_THAT(removed[0], HasSubstr("/tmp/agentchat-sqlite-"));
}

TEST(SqliteFlow, ADamagedDatabaseFailsTheBackupTwiceCheckedAndTheAppRunsAgain) {
  NotesWorld world;
  std::string damaged = world.db;
  for (std::size_t i = 1024; i < damaged.size(); ++i) damaged[i] = static_cast<char>(i * 13);
  world.engine.volume("notes_data").write("db/notes.sqlite", damaged);
  try {
    world.backup();
    FAIL() << "the backup succeeded";
  } catch (const std::exception& e) {
    EXPECT_THAT(e.what(), HasSubstr("db/notes.sqlite fails PRAGMA integrity_check in two consistent copies"));
  }
  EXPECT_EQ(world.called("pauseContainer").size(), 2u);  // taken again once
  EXPECT_EQ(world.engine.container("notes-app-1").state, "running");
  EXPECT_TRUE(world.repository.list("notes").empty());
}

}  // namespace
