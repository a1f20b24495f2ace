// runRestore on the fake engine: a failure at any engine call of the restore rolls back to the
// safety snapshot, and the rolled-back data are the data from before; a rollback that fails too
// says so. The steps are driven through a volume restore, which needs no database server.
#include <gtest/gtest.h>

#include "dockerapi/errors.hpp"
#include "plugin/backup/backup_runner.hpp"
#include "plugin/restore/restore_runner.hpp"
#include "tests/support/call_log.hpp"
#include "tests/support/fake_shell.hpp"
#include "tests/support/fake_stack.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/run_journal.hpp"

namespace {

using namespace agentchat;
using agentchat_test::EngineCall;
using agentchat_test::FakeEngine;

const std::map<std::string, std::string> kBackedUp{{"uploads/a.txt", "first upload"}};
const std::map<std::string, std::string> kBeforeRestore{{"uploads/a.txt", "edited since"},
                                                        {"uploads/b.txt", "new since"}};
const std::map<std::string, std::string> kAllRunning{{"chat-backend-1", "running"},
                                                     {"chat-worker-1", "running"}};

// Two apps, the backend with an uploads volume; a backup of it taken, then the uploads changed.
struct ChatWorld {
  agentchat_test::TempDir dir;
  FakeEngine engine;
  agentchat_test::FakeStack chat{engine, "chat"};
  volumes::LocalRepository repository{dir.path() / "repository"};
  volumes::Manifest backup;

  ChatWorld() {
    chat.service("backend", compose::Role::App, "chat/backend:1", {{"app_data", "/app/data"}});
    chat.service("worker", compose::Role::App, "chat/backend:1", {}, {"backend"});
    agentchat_test::answerVolumeEmptying(engine);
    engine.volume("chat_app_data").write("uploads/a.txt", "first upload");
    BackupOptions options{Consistency::Online, {Component::Volumes}};
    backup = runBackup(engine, chat.stack(), repository, planBackup(chat.stack(), options), BackupSettings{});
    engine.volume("chat_app_data").write("uploads/a.txt", "edited since");
    engine.volume("chat_app_data").write("uploads/b.txt", "new since");
    engine.clearCalls();
  }

  std::map<std::string, std::string> uploads() { return engine.volume("chat_app_data").files(); }

  // Runs the restore of `backup`; nullopt when it succeeded.
  std::optional<RestoreFailed> restore() {
    try {
      runRestore(engine, chat.stack(), repository, backup, planRestore(backup, chat.stack(), {}),
                 RestoreSettings{});
    } catch (const RestoreFailed& e) {
      return e;
    }
    return std::nullopt;
  }
};

TEST(RestoreFlow, RestoresTheVolumeWithTheAppsStoppedAndStartsThemAgain) {
  ChatWorld world;
  EXPECT_FALSE(world.restore());
  EXPECT_EQ(world.uploads(), kBackedUp);
  EXPECT_EQ(world.chat.states(), kAllRunning);
  auto stop = world.engine.find("stopContainer chat-backend-1");
  auto put = world.engine.find("putArchive");
  auto start = world.engine.find("startContainer chat-backend-1");
  ASSERT_TRUE(stop && put && start);
  EXPECT_LT(*stop, *put);
  EXPECT_LT(*put, *start);
  // The safety snapshot of the data the restore replaced is in the repository.
  EXPECT_EQ(world.repository.list("chat").size(), 2u);
}

TEST(RestoreFlow, AFailureAtAnyCallAfterTheSafetySnapshotRollsBackToTheDataFromBefore) {
  std::vector<EngineCall> clean;
  {
    ChatWorld world;
    ASSERT_FALSE(world.restore());
    clean = world.engine.calls();
  }
  // From the first stop (the safety snapshot before it is a backup: backup_flow_test) to the last
  // start. The apps' health is watched after that, once the data are verified: see below.
  auto [begin, end] = agentchat_test::windowOf(clean, "stopContainer", "startContainer", "chat-");
  ASSERT_LT(begin, end);
  for (std::size_t index = begin; index <= end; ++index) {
    ChatWorld world;
    world.engine.failCall(index, 500);
    auto failure = world.restore();
    auto calls = world.engine.calls();
    std::string failed;
    for (const auto& call : calls) {
      if (call.failed) failed = call.str();
    }
    SCOPED_TRACE("failing call " + std::to_string(index) + ": " + failed);
    EXPECT_EQ(world.chat.states(), kAllRunning);
    if (!failure) {
      // Only a failure the restore may pass over: the removal of a helper (it is logged).
      EXPECT_TRUE(failed.starts_with("removeContainer agentchat-helper-")) << failed;
      EXPECT_EQ(world.uploads(), kBackedUp);
      continue;
    }
    EXPECT_TRUE(failure->rolledBack()) << failure->what();
    EXPECT_EQ(world.uploads(), kBeforeRestore);
    EXPECT_NE(std::string(failure->what()).find("Rolled back"), std::string::npos) << failure->what();
  }
}

// After the data are verified the apps' health is only watched and reported, never rolled back
// over: an engine failure there leaves the data restored and the apps reported as not watched.
TEST(RestoreFlow, AnEngineFailureWhileWatchingTheAppsIsReportedAndTheRestoredDataStay) {
  std::size_t lastInspect = 0;
  {
    ChatWorld world;
    ASSERT_FALSE(world.restore());
    auto calls = world.engine.calls();
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].call == "inspectContainer") lastInspect = i;
    }
  }
  ChatWorld world;
  world.engine.failCall(lastInspect, 500);
  RestoreSettings settings;
  auto report = runRestore(world.engine, world.chat.stack(), world.repository, world.backup,
                           planRestore(world.backup, world.chat.stack(), {}), settings);
  EXPECT_EQ(world.uploads(), kBackedUp);
  EXPECT_EQ(world.chat.states(), kAllRunning);
  // Reported as an app that could not be watched (exit 6), not as a failed restore.
  auto unknown = std::find_if(report.apps.begin(), report.apps.end(),
                              [](const AppHealth& a) { return a.now == "unknown"; });
  ASSERT_NE(unknown, report.apps.end());
  EXPECT_TRUE(unknown->newlyUnhealthy());
  EXPECT_NE(unknown->lastProbe.find("500"), std::string::npos) << unknown->lastProbe;
}

TEST(RestoreFlow, AnAppUnhealthyAfterTheRestoreIsReportedAndNotRolledBack) {
  ChatWorld world;
  auto& backend = world.engine.container("chat-backend-1");
  backend.health = "healthy";
  backend.healthOnStart = "unhealthy";
  RestoreSettings settings;
  settings.healthWait = std::chrono::seconds(0);
  auto report = runRestore(world.engine, world.chat.stack(), world.repository, world.backup,
                           planRestore(world.backup, world.chat.stack(), {}), settings);
  EXPECT_EQ(world.uploads(), kBackedUp);
  auto app = std::find_if(report.apps.begin(), report.apps.end(),
                          [](const AppHealth& a) { return a.service == "backend"; });
  ASSERT_NE(app, report.apps.end());
  EXPECT_EQ(app->before, "healthy");
  EXPECT_EQ(app->now, "unhealthy");
  EXPECT_TRUE(app->newlyUnhealthy());
  EXPECT_EQ(app->lastProbe, "probe unhealthy");
}

TEST(RestoreFlow, AFailingRollbackSaysTheStackIsNotRolledBackAndNamesTheSafetySnapshot) {
  ChatWorld world;
  // The restore's copy into the volume fails, and so does the rollback's.
  world.engine.inject({std::nullopt, "putArchive", "", 500, "no space left on device", 2, false});
  auto failure = world.restore();
  ASSERT_TRUE(failure);
  EXPECT_FALSE(failure->rolledBack());
  std::string message = failure->what();
  EXPECT_NE(message.find("The rollback failed too, at step volume chat_app_data"), std::string::npos)
      << message;
  EXPECT_NE(message.find("no space left on device"), std::string::npos) << message;
  auto ids = world.repository.list("chat");
  ASSERT_EQ(ids.size(), 2u);
  std::string safety = ids.front() == world.backup.id ? ids.back() : ids.front();
  EXPECT_NE(message.find("docker agentchat restore " + safety + " --yes"), std::string::npos) << message;
  // The volume was emptied and not refilled; the apps are started again all the same.
  EXPECT_TRUE(world.uploads().empty());
  EXPECT_EQ(world.chat.states(), kAllRunning);
  EXPECT_FALSE(volumes::readJournal(world.repository.journalPath("chat")));
}

TEST(RestoreFlow, AnAppThatWillNotStartRollsBackAndTheRollbackCannotStartItEither) {
  ChatWorld world;
  world.engine.container("chat-worker-1").refusesToStart = true;
  auto failure = world.restore();
  ASSERT_TRUE(failure);
  // The rollback restores the data, then cannot start the worker either: not rolled back.
  EXPECT_FALSE(failure->rolledBack());
  std::string message = failure->what();
  EXPECT_NE(message.find("failed at step start"), std::string::npos) << message;
  EXPECT_NE(message.find("could not start chat-worker-1"), std::string::npos) << message;
  EXPECT_EQ(world.uploads(), kBeforeRestore);
  EXPECT_EQ(world.chat.states().at("chat-backend-1"), "running");
  EXPECT_EQ(world.chat.states().at("chat-worker-1"), "exited");
}

}  // namespace
