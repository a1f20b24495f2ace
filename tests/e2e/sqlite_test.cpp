// Issue #20 on a real engine: two apps write SQLite databases in a loop (one WAL, one rollback
// journal each) while online backups run; every backup restored into the stack gives databases that
// pass PRAGMA integrity_check — 20 times in a row. `notes` has the sqlite3 shell (SQLite's online
// backup API), `kuma` has not (copies taken with it paused).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "dockerapi/exec.hpp"
#include "e2e_support.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct SqliteApp {
  std::string service, dir, volumeKey, method;
};

const std::vector<SqliteApp> kApps{{"notes", "/app/notes", "notes_data", "backup-api"},
                                   {"kuma", "/app/data", "kuma_data", "paused-copy"}};
const std::vector<std::string> kDatabases{"wal.db", "journal.db"};

// integrity_check's answer and the row count, "ok 301", from the app's own SQLite shell.
std::string checkInApp(dockerapi::Engine& engine, const e2e::RestoreStack& stack, const SqliteApp& app,
                       const std::string& db) {
  std::string script =
      "s=$(command -v sqlite3 || command -v app-sqlite); \"$s\" -cmd '.timeout 10000' \"$0\" "
      "'PRAGMA integrity_check' 'SELECT count(*) FROM t' | paste -sd' '";
  auto r = dockerapi::execCapture(engine, stack.container(app.service),
                                  {{"sh", "-c", script, app.dir + "/" + db}, {}, {}, {}});
  return r.exitCode == 0 ? r.out.substr(0, r.out.find_last_not_of('\n') + 1)
                         : "exit " + std::to_string(r.exitCode) + ": " + r.err;
}

int runs() {
  const char* set = std::getenv("AGENTCHAT_SQLITE_RUNS");
  return set ? std::max(1, std::atoi(set)) : 20;
}

}  // namespace

TEST(SqliteBackup, DatabasesWrittenInALoopRestoreIntactEveryTime) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.sqlite.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  // The premise: one app image has the sqlite3 shell, the other has not.
  ASSERT_EQ(dockerapi::execCapture(engine, stack.container("notes"), {{"sqlite3", "-version"}, {}, {}, {}})
                .exitCode,
            0)
      << "agentchat-test/app:e2e lacks sqlite3: run tests/images/build.sh";
  ASSERT_NE(dockerapi::execCapture(engine, stack.container("kuma"),
                                   {{"sh", "-c", "command -v sqlite3"}, {}, {}, {}})
                .exitCode,
            0);
  // The writers have written.
  for (const auto& app : kApps) {
    for (const auto& db : kDatabases) {
      std::string state;
      for (int i = 0; i < 60; ++i) {
        state = checkInApp(engine, stack, app, db);
        if (state.rfind("ok ", 0) == 0 && std::atoi(state.c_str() + 3) >= 50) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      ASSERT_TRUE(state.rfind("ok ", 0) == 0) << app.service << " " << db << ": " << state;
    }
  }

  auto began = std::chrono::steady_clock::now();
  int torn = 0;  // volume streams the engine cut short as a file shrank, read again (issue #20)
  for (int run = 1; run <= runs(); ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    auto backup = stack.plugin({"backup", "--json", "--only", "volumes"});
    ASSERT_EQ(backup.exitCode, 0) << backup.err;
    for (std::size_t at = 0; (at = backup.err.find("archive stream was torn", at)) != std::string::npos; ++at)
      ++torn;
    std::string id = json::parse(backup.out)["id"].get<std::string>();
    auto manifest = json::parse(std::ifstream(stack.repo() / stack.project() / id / "manifest.json"));
    for (const auto& app : kApps) {
      const auto& files = manifest["details"]["sqlite"]["volume-" + app.volumeKey + ".tar.zst"];
      ASSERT_EQ(files.size(), 2u) << manifest["details"].dump(2);
      for (const auto& f : files) {
        EXPECT_EQ(f["method"], app.method) << f.dump();
        EXPECT_EQ(f["integrity"], "ok");
      }
      bool listed = false;
      for (const auto& p : manifest["parts"])
        listed = listed || p["name"] == "sqlite-" + app.volumeKey + ".tar.zst";
      EXPECT_TRUE(listed) << manifest["parts"].dump();
    }
    if (run == 1) {  // verify --deep opens each database of the sqlite parts
      auto verify = stack.plugin({"verify", id, "--deep", "--json"});
      EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
      int drills = 0;
      auto verified = json::parse(verify.out);
      for (const auto& d : verified["drills"]) {
        drills += d["part"].get<std::string>().rfind("sqlite-", 0) == 0;
        EXPECT_TRUE(d["ok"].get<bool>()) << d.dump();
      }
      EXPECT_EQ(drills, 2) << verify.out;
    }
    auto restore = stack.plugin(
        {"restore", id, "--only", "volume:notes_data,volume:kuma_data", "--yes", "--no-safety-snapshot"});
    ASSERT_EQ(restore.exitCode, 0) << restore.out << restore.err;
    for (const auto& app : kApps) {
      for (const auto& db : kDatabases) {
        std::string state = checkInApp(engine, stack, app, db);
        EXPECT_TRUE(state.rfind("ok ", 0) == 0 && std::atoi(state.c_str() + 3) > 0)
            << app.service << " " << db << " after restoring " << id << ": " << state;
      }
    }
    // No backup's temporary copy is left in the app's /tmp.
    EXPECT_EQ(stack.sh("notes", "ls /tmp | grep -c agentchat-sqlite || true"), "0\n");
    if (HasFatalFailure() || HasNonfatalFailure()) break;
  }
  std::cout << runs() << " backup + restore runs in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count() << " s; "
            << torn << " torn volume stream(s) read again\n";
}
