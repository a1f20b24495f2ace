// runBackup with a PostgreSQL service on the fake engine (issue #18): what a real server cannot be
// made to do on demand — be a standby, refuse the login — and where the login goes (never argv).
#include <gtest/gtest.h>

#include "plugin/backup/backup_runner.hpp"
#include "plugin/restore/restore_drill.hpp"
#include "tests/support/fake_stack.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/local_repository.hpp"

namespace {

using namespace agentchat;
using agentchat_test::FakeEngine;

struct PostgresWorld {
  agentchat_test::TempDir dir;
  FakeEngine engine;
  agentchat_test::FakeStack chat{engine, "chat"};
  volumes::LocalRepository repository{dir.path() / "repository"};
  std::vector<agentchat_test::ExecRequest> psqls;
  std::string survey = R"({"num": 150018, "version": "15.18", "standby": true, "databases": ["app"]})";
  int exitCode = 0;
  std::string error;

  PostgresWorld() {
    chat.service("pg", compose::Role::Postgres, "postgres:15", {{"pg_data", "/var/lib/postgresql/data"}})
        .env = {"POSTGRES_USER=app", "POSTGRES_PASSWORD=pg-Secret-1"};
    chat.service("backend", compose::Role::App, "chat/backend:1", {{"app_data", "/app/data"}}, {"pg"});
    engine.volume("chat_app_data").write("uploads/a.txt", "first upload");
    engine.onExec([this](const agentchat_test::ExecRequest& r) -> std::optional<agentchat_test::ExecReply> {
      if (r.cmd.empty() || r.cmd[0] != "psql") return std::nullopt;
      psqls.push_back(r);
      if (exitCode != 0) return agentchat_test::ExecReply{"", error, exitCode};
      return agentchat_test::ExecReply{survey + "\n", "", 0};
    });
  }

  std::string backup() {
    try {
      runBackup(engine, chat.stack(), repository,
                planBackup(chat.stack(), {Consistency::Online, parseComponents("postgres,volumes")}),
                BackupSettings{});
    } catch (const std::exception& e) {
      return e.what();
    }
    return {};
  }
};

}  // namespace

TEST(PostgresFlow, AStandbyIsNotDumpedAndTheBackupSaysSo) {
  PostgresWorld world;
  ASSERT_EQ(world.backup(), "");
  auto ids = world.repository.list("chat");
  ASSERT_EQ(ids.size(), 1u);
  auto manifest = world.repository.read("chat", ids.front());
  for (const auto& part : manifest.parts) EXPECT_EQ(part.name.find("pg."), std::string::npos) << part.name;
  bool noted = false;
  for (const auto& note : manifest.details["notes"])
    noted = noted || note.get<std::string>().find("standby") != std::string::npos;
  EXPECT_TRUE(noted) << manifest.details["notes"].dump();
  // The login reached psql through its environment only.
  ASSERT_FALSE(world.psqls.empty());
  for (const auto& r : world.psqls) {
    for (const auto& arg : r.cmd) EXPECT_EQ(arg.find("pg-Secret-1"), std::string::npos) << arg;
    EXPECT_NE(std::find(r.env.begin(), r.env.end(), "PGPASSWORD=pg-Secret-1"), r.env.end());
    EXPECT_NE(std::find(r.env.begin(), r.env.end(), "PGUSER=app"), r.env.end());
  }
}

TEST(PostgresFlow, ARefusedLoginFailsBeforeAnythingIsPausedNamingWhereThePasswordCameFrom) {
  PostgresWorld world;
  world.exitCode = 2;
  world.error =
      "psql: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: "
      "FATAL:  password authentication failed for user \"app\"\n";
  std::string error = world.backup();
  EXPECT_NE(error.find("service pg: psql on database template1 failed"), std::string::npos) << error;
  EXPECT_NE(error.find("password from POSTGRES_PASSWORD"), std::string::npos) << error;
  EXPECT_EQ(error.find("pg-Secret-1"), std::string::npos) << error;
  for (const auto& call : world.engine.calls()) EXPECT_NE(call.call, "pauseContainer");
  EXPECT_TRUE(world.repository.list("chat").empty());
}

// verify --deep's PostgreSQL drill needs the image the service ran: without it every part of the
// service fails the drill naming the image, and nothing is created.
TEST(PostgresFlow, ADrillWithoutTheServicesImageFailsEveryPartOfItAndCreatesNothing) {
  FakeEngine engine;
  volumes::Manifest backup;
  backup.parts = {{"pg.globals.pgsql.zst", "postgres-globals", "pg", "", 1, 1, "", "", "", 0},
                  {"pg.app.pgdump.zst", "postgres-dump", "pg", "app", 1, 1, "", "", "", 0}};
  backup.details["postgres"]["pg"] = {{"image", "postgres:15"}, {"login", "app"}, {"versionNumber", 150018}};
  auto results = restoreDrill(engine, backup, {nullptr, "chat", "x"}, nullptr);
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_FALSE(r.ok) << r.part;
    ASSERT_EQ(r.problems.size(), 1u) << r.part;
    EXPECT_NE(r.problems[0].find("image postgres:15 (which the service ran) is not on this engine"),
              std::string::npos)
        << r.problems[0];
  }
  EXPECT_EQ(results[0].part, "pg.globals.pgsql.zst");
  EXPECT_TRUE(engine.listContainers({}, true).empty());
  EXPECT_TRUE(engine.listVolumes({}).empty());
}
