// runMigration between two fake engines: whichever engine call fails, on the source while the stack
// is stopped or on the target, what was created on the target goes again and the source runs as
// before. The stack has no database, so no stand-in server is needed to compare data.
#include <gtest/gtest.h>

#include "plugin/migrate/migrate_runner.hpp"
#include "tests/support/call_log.hpp"
#include "tests/support/fake_stack.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace agentchat;
using agentchat_test::EngineCall;
using agentchat_test::failedCall;
using agentchat_test::FakeEngine;

const std::map<std::string, std::string> kAllRunning{{"chat-backend-1", "running"},
                                                     {"chat-worker-1", "running"}};

struct TwoEngines {
  agentchat_test::TempDir dir;
  FakeEngine source, target;
  agentchat_test::FakeStack chat{source, "chat"};
  MigrationChecks checks;
  MigrateSettings settings;

  TwoEngines() {
    chat.service("backend", compose::Role::App, "chat/backend:1", {{"app_data", "/app/data"}});
    chat.service("worker", compose::Role::App, "chat/backend:1", {{"worker_cache", "/cache"}}, {"backend"});
    source.volume("chat_app_data").write("uploads/a.txt", "first upload");
    source.volume("chat_worker_cache").write("cache.bin", std::string(5000, 'c'));
    checks.targetHelperImage = "busybox:latest";
    settings.targetName = "tcp://target:2376";
    settings.targetDir = dir.path() / "moved";
    settings.repositoryRoot = dir.path() / "repository";
  }

  std::string migrate() {
    try {
      runMigration(source, chat.stack(), target, checks, settings);
    } catch (const MigrationFailed& e) {
      return e.what();
    }
    return {};
  }

  // The state a failed migration must leave: the source as before, nothing of it on the target.
  void expectUndone(const std::string& error) {
    EXPECT_NE(error, "");
    EXPECT_EQ(chat.states(), kAllRunning);
    EXPECT_EQ(source.volume("chat_app_data").files().at("uploads/a.txt"), "first upload");
    EXPECT_NE(error.find("The source stack runs as before"), std::string::npos) << error;
    EXPECT_FALSE(std::filesystem::exists(settings.targetDir));
    for (const auto& name : target.containerNames())
      ADD_FAILURE() << "container " << name << " left on the target";
  }
};

TEST(MigrateFlow, MovesTheVolumesAndStartsTheSourceAgain) {
  TwoEngines world;
  ASSERT_EQ(world.migrate(), "");
  EXPECT_EQ(world.target.volume("chat_app_data").files(), world.source.volume("chat_app_data").files());
  EXPECT_EQ(world.target.volume("chat_worker_cache").files(),
            world.source.volume("chat_worker_cache").files());
  EXPECT_EQ(world.target.inspectVolume("chat_app_data").labels.at("com.docker.compose.project"), "chat");
  EXPECT_EQ(world.chat.states(), kAllRunning);
  EXPECT_TRUE(world.target.containerNames().empty());  // the helpers went
}

TEST(MigrateFlow, AFailureOnTheSourceWhileStoppedUndoesTheMigration) {
  std::vector<EngineCall> clean;
  {
    TwoEngines world;
    ASSERT_EQ(world.migrate(), "");
    clean = world.source.calls();
  }
  std::size_t begin = clean.size(), end = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    if (clean[i].call == "stopContainer") begin = std::min(begin, i);
    if (clean[i].call == "startContainer") end = i;
  }
  ASSERT_LT(begin, end);
  for (std::size_t index = begin; index <= end; ++index) {
    TwoEngines world;
    world.source.failCall(index, 500);
    std::string error = world.migrate();
    auto calls = world.source.calls();
    auto failed = failedCall(calls);
    ASSERT_TRUE(failed);
    const EngineCall& call = calls[*failed];
    SCOPED_TRACE("failing " + call.str());
    if (call.call == "removeContainer") {  // a helper's removal is only logged
      EXPECT_EQ(error, "");
      continue;
    }
    if (call.call == "startContainer") {
      // The copy is complete but the source is not as it was: said, and the target keeps the copy.
      EXPECT_NE(error.find("did not start again on the source"), std::string::npos) << error;
      continue;
    }
    world.expectUndone(error);
    EXPECT_TRUE(world.target.volumeNames().empty());
  }
}

TEST(MigrateFlow, AFailureOnTheTargetUndoesTheMigration) {
  std::vector<EngineCall> clean;
  {
    TwoEngines world;
    ASSERT_EQ(world.migrate(), "");
    clean = world.target.calls();
  }
  // From the first volume created (before it, the source was not touched).
  std::size_t begin = 0;
  while (begin < clean.size() && clean[begin].call != "createVolume") ++begin;
  for (std::size_t index = begin; index < clean.size(); ++index) {
    TwoEngines world;
    world.target.failCall(index, 500);
    std::string error = world.migrate();
    auto calls = world.target.calls();
    auto failed = failedCall(calls);
    ASSERT_TRUE(failed);
    SCOPED_TRACE("failing " + calls[*failed].str());
    if (calls[*failed].call == "removeContainer") {
      EXPECT_EQ(error, "");
      continue;
    }
    world.expectUndone(error);
    EXPECT_TRUE(world.target.volumeNames().empty());
    bool created = calls[*failed].call != "createVolume" || *failed > begin;
    EXPECT_NE(error.find(created ? "removed again" : "Nothing was created on the target"), std::string::npos)
        << error;
  }
}

TEST(MigrateFlow, ATargetGoneMidTransferLeavesTheSourceRunningAndNamesWhatIsLeftThere) {
  TwoEngines world;
  world.target.inject({std::nullopt, "putArchive", "", 0, {}, 1, /*midStream=*/true});
  std::string error = world.migrate();
  EXPECT_EQ(world.chat.states(), kAllRunning);
  EXPECT_NE(error.find("cannot reach the Docker engine"), std::string::npos) << error;
  EXPECT_NE(error.find("could not be removed: chat_app_data"), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(world.settings.targetDir));
}

TEST(MigrateFlow, TheSourceGoneMidTransferRemovesWhatWasCreatedOnTheTarget) {
  TwoEngines world;
  world.source.inject({std::nullopt, "getArchive", "", 0, {}, 1, /*midStream=*/true});
  std::string error = world.migrate();
  EXPECT_NE(error.find("cannot reach the Docker engine"), std::string::npos) << error;
  EXPECT_NE(error.find("removed again"), std::string::npos) << error;
  EXPECT_TRUE(world.target.volumeNames().empty());
  EXPECT_TRUE(world.target.containerNames().empty());
  // The source could not be started again while gone; it says which containers.
  EXPECT_NE(error.find("did not start again"), std::string::npos) << error;
  world.source.bringBack();
  EXPECT_EQ(world.chat.states().at("chat-backend-1"), "exited");
}

}  // namespace

// Online, a PostgreSQL service's databases are dumped into a stand-in on the target; one without a
// login to dump with fails the migration before anything is paused, and what was created on the
// target goes again.
TEST(MigrateFlow, OnlineWithAPostgresServiceWithoutALoginFailsAndRemovesWhatItCreated) {
  TwoEngines world;
  world.chat.service("pg", compose::Role::Postgres, "postgres:15", {{"pg_data", "/var/lib/postgresql/data"}});
  world.settings.online = true;
  std::string error = world.migrate();
  EXPECT_NE(error.find("service pg is not running or has no PostgreSQL login"), std::string::npos) << error;
  EXPECT_NE(error.find("removed again"), std::string::npos) << error;
  EXPECT_TRUE(world.target.volumeNames().empty());
  EXPECT_TRUE(world.target.containerNames().empty());
  EXPECT_FALSE(std::filesystem::exists(world.settings.targetDir));
  for (const auto& [container, state] : world.chat.states()) EXPECT_EQ(state, "running") << container;
}
