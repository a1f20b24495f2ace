// runBackup on the fake engine, with a failure at every engine call of the window in which it holds
// the stack (writers paused, or everything stopped): the stack comes back, and nothing complete is
// left in the repository. A real engine cannot fail on demand at each of those calls.
#include <gtest/gtest.h>

#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/backup/backup_runner.hpp"
#include "plugin/guard/dead_run.hpp"
#include "tests/support/call_log.hpp"
#include "tests/support/fake_redis.hpp"
#include "tests/support/fake_stack.hpp"
#include "tests/support/temp_dir.hpp"
#include "volumes/local_repository.hpp"
#include "volumes/part_check.hpp"
#include "volumes/run_journal.hpp"

namespace {

using namespace agentchat;
using agentchat_test::calledAfter;
using agentchat_test::EngineCall;
using agentchat_test::failedCall;
using agentchat_test::FakeEngine;
using agentchat_test::heldAt;
using agentchat_test::windowOf;

// Redis and two app containers writing to it; the backend keeps uploads in a volume.
struct ChatWorld {
  agentchat_test::TempDir dir;
  FakeEngine engine;
  agentchat_test::FakeStack chat{engine, "chat"};
  std::unique_ptr<agentchat_test::FakeRedis> redis;
  volumes::LocalRepository repository{dir.path() / "repository"};

  ChatWorld() {
    chat.service("redis", compose::Role::Redis, "redis:7", {{"redis_data", "/data"}});
    chat.service("backend", compose::Role::App, "chat/backend:1", {{"app_data", "/app/data"}}, {"redis"});
    chat.service("worker", compose::Role::App, "chat/backend:1", {}, {"redis"});
    redis = std::make_unique<agentchat_test::FakeRedis>(engine, "chat-redis-1");
    redis->set("session:1", "alice");
    engine.volume("chat_app_data").write("uploads/a.txt", "first upload");
  }

  // Runs a backup; the error it ended with, or "" when it succeeded.
  std::string backup(Consistency consistency, std::set<Component> only) {
    BackupOptions options{consistency, std::move(only)};
    try {
      runBackup(engine, chat.stack(), repository, planBackup(chat.stack(), options), BackupSettings{});
    } catch (const std::exception& e) {
      return e.what();
    }
    return {};
  }

  std::vector<std::string> journalHeld() {
    std::vector<std::string> names;
    if (auto journal = volumes::readJournal(repository.journalPath("chat"))) {
      for (const auto& held : journal->held) names.push_back(held.name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

const std::map<std::string, std::string> kAllRunning{
    {"chat-backend-1", "running"}, {"chat-redis-1", "running"}, {"chat-worker-1", "running"}};

TEST(BackupFlow, OnlinePausesTheWritersAroundTheRedisSnapshotOnly) {
  ChatWorld world;
  ASSERT_EQ(world.backup(Consistency::Online, {Component::Redis}), "");
  auto ids = world.repository.list("chat");
  ASSERT_EQ(ids.size(), 1u);
  auto manifest = world.repository.read("chat", ids.front());
  ASSERT_EQ(manifest.parts.size(), 1u);
  EXPECT_EQ(manifest.parts.front().contentName(), "redis.rdb.zst");
  EXPECT_EQ(world.chat.states(), kAllRunning);
  auto pause = world.engine.find("pauseContainer chat-backend-1");
  auto save = world.engine.find("exec chat-redis-1 redis-cli --no-auth-warning BGSAVE");
  auto unpause = world.engine.find("unpauseContainer chat-backend-1");
  ASSERT_TRUE(pause && save && unpause);
  EXPECT_LT(*pause, *save);
  EXPECT_LT(*save, *unpause);
  EXPECT_TRUE(world.journalHeld().empty());
}

TEST(BackupFlow, OnlineRedisRefusingTheSnapshotFailsTheBackupAndUnpausesTheWriters) {
  ChatWorld world;
  world.engine.onExec(
      [](const agentchat_test::ExecRequest& request) -> std::optional<agentchat_test::ExecReply> {
        if (request.cmd.size() > 2 && request.cmd[2] == "BGSAVE")
          return agentchat_test::ExecReply{"",
                                           "MISCONF Redis is configured to save RDB snapshots, but it's "
                                           "currently unable to persist to disk\n",
                                           1};
        return std::nullopt;
      });
  std::string error = world.backup(Consistency::Online, {Component::Redis});
  EXPECT_NE(error.find("MISCONF"), std::string::npos) << error;
  EXPECT_TRUE(world.repository.list("chat").empty());
  EXPECT_EQ(world.chat.states(), kAllRunning);
  auto save = world.engine.find("exec chat-redis-1 redis-cli --no-auth-warning BGSAVE");
  ASSERT_TRUE(save);
  EXPECT_TRUE(world.engine.find("unpauseContainer chat-backend-1", *save));
  EXPECT_TRUE(world.journalHeld().empty());
}

TEST(BackupFlow, OnlineFailureAtAnyCallWhileWritersArePausedUnpausesThem) {
  std::vector<EngineCall> clean;
  {
    ChatWorld world;
    ASSERT_EQ(world.backup(Consistency::Online, {Component::Redis}), "");
    clean = world.engine.calls();
  }
  auto [begin, end] = windowOf(clean, "pauseContainer", "unpauseContainer");
  ASSERT_LT(begin, end);
  for (std::size_t index = begin; index <= end; ++index) {
    ChatWorld world;
    world.engine.failCall(index, 500);
    std::string error = world.backup(Consistency::Online, {Component::Redis});
    auto calls = world.engine.calls();
    auto failed = failedCall(calls);
    ASSERT_TRUE(failed) << "call " << index << " never failed";
    const EngineCall& call = calls[*failed];
    SCOPED_TRACE("failing " + call.str());
    EXPECT_NE(error, "") << "the backup passed over a failed " << call.str();
    EXPECT_TRUE(world.repository.list("chat").empty());
    if (call.call == "pauseContainer") {
      // The pause never happened, so the guard's unpause gets the engine's 500 "is not paused"
      // (see engine_contract.cpp); the container's state says it runs: nothing is left to resume.
      EXPECT_EQ(world.chat.states(), kAllRunning);
      EXPECT_TRUE(world.journalHeld().empty());
      continue;
    }
    if (call.call == "unpauseContainer") {
      // The resume itself failed: the container stays paused, the error and the journal say so.
      auto expected = kAllRunning;
      expected[call.target] = "paused";
      EXPECT_EQ(world.chat.states(), expected);
      EXPECT_NE(error.find("could not unpause " + call.target), std::string::npos) << error;
      EXPECT_EQ(world.journalHeld(), std::vector<std::string>{call.target});
      continue;
    }
    EXPECT_EQ(world.chat.states(), kAllRunning);
    for (const auto& paused : heldAt(calls, *failed, "pauseContainer", "unpauseContainer")) {
      EXPECT_TRUE(calledAfter(calls, *failed, "unpauseContainer", paused)) << paused << " not unpaused";
    }
    EXPECT_TRUE(world.journalHeld().empty());
  }
}

TEST(BackupFlow, EngineGoneWhileWritersArePausedLeavesAJournalTheNextRunUndoes) {
  std::vector<EngineCall> clean;
  {
    ChatWorld world;
    ASSERT_EQ(world.backup(Consistency::Online, {Component::Redis}), "");
    clean = world.engine.calls();
  }
  auto [begin, end] = windowOf(clean, "pauseContainer", "unpauseContainer");
  for (std::size_t index = begin; index <= end; ++index) {
    ChatWorld world;
    world.engine.goneFromCall(index);
    std::string error = world.backup(Consistency::Online, {Component::Redis});
    auto calls = world.engine.calls();
    SCOPED_TRACE("engine gone at " + calls.at(index).str());
    EXPECT_NE(error.find("cannot reach the Docker engine"), std::string::npos) << error;
    EXPECT_TRUE(world.repository.list("chat").empty());
    // Whatever is still paused is in the journal (it may name more: the journal is written first).
    auto held = world.journalHeld();
    for (const auto& [name, state] : world.chat.states()) {
      if (state != "paused") continue;
      EXPECT_NE(std::find(held.begin(), held.end(), name), held.end())
          << name << " paused, not in the journal";
    }
    if (index == begin + 1) {  // both writers paused: the next run finds and undoes that
      world.engine.bringBack();
      auto undone = undoDeadRun(world.engine, world.repository, "chat");
      EXPECT_FALSE(undone.done.empty());
      EXPECT_EQ(world.chat.states(), kAllRunning);
      EXPECT_TRUE(world.journalHeld().empty());
    }
  }
}

TEST(BackupFlow, StopFailureAtAnyCallWhileStoppedStartsTheStackAgain) {
  std::vector<EngineCall> clean;
  {
    ChatWorld world;
    ASSERT_EQ(world.backup(Consistency::Stop, {Component::Volumes}), "");
    clean = world.engine.calls();
  }
  auto [begin, end] = windowOf(clean, "stopContainer", "startContainer");
  ASSERT_LT(begin, end);
  for (std::size_t index = begin; index <= end; ++index) {
    ChatWorld world;
    world.engine.failCall(index, 500);
    std::string error = world.backup(Consistency::Stop, {Component::Volumes});
    auto calls = world.engine.calls();
    auto failed = failedCall(calls);
    ASSERT_TRUE(failed) << "call " << index << " never failed";
    const EngineCall& call = calls[*failed];
    SCOPED_TRACE("failing " + call.str());
    if (call.call == "removeContainer") {
      // A helper that cannot be removed is only logged (with the command to remove it): the copy
      // is complete and kept.
      EXPECT_EQ(error, "");
      EXPECT_EQ(world.repository.list("chat").size(), 1u);
      EXPECT_EQ(world.chat.states(), kAllRunning);
      continue;
    }
    EXPECT_NE(error, "");
    if (call.call == "startContainer") {
      // The copy was complete: it is kept, and the run fails naming what did not start again.
      EXPECT_EQ(world.repository.list("chat").size(), 1u);
      EXPECT_NE(error.find("did not start again: " + call.target), std::string::npos) << error;
      auto expected = kAllRunning;
      expected[call.target] = "exited";
      EXPECT_EQ(world.chat.states(), expected);
      continue;
    }
    EXPECT_TRUE(world.repository.list("chat").empty());
    EXPECT_EQ(world.chat.states(), kAllRunning);
    for (const auto& stopped : heldAt(calls, *failed, "stopContainer", "startContainer")) {
      EXPECT_TRUE(calledAfter(calls, *failed, "startContainer", stopped)) << stopped << " not started";
    }
    EXPECT_TRUE(world.journalHeld().empty());
    EXPECT_TRUE(world.repository.removeAbandoned("chat").empty()) << "a staging directory was left";
  }
}

TEST(BackupFlow, StopWithAContainerThatWillNotStartKeepsTheCopyAndFails) {
  ChatWorld world;
  world.engine.container("chat-worker-1").refusesToStart = true;
  std::string error = world.backup(Consistency::Stop, {Component::Volumes});
  EXPECT_NE(error.find("did not start again: chat-worker-1"), std::string::npos) << error;
  EXPECT_EQ(world.repository.list("chat").size(), 1u);
  EXPECT_EQ(world.chat.states().at("chat-backend-1"), "running");
  EXPECT_EQ(world.chat.states().at("chat-redis-1"), "running");
}

TEST(BackupFlow, EngineGoneMidVolumeCopyLeavesNoBackupAndTheNextRunRestartsAndCleansUp) {
  ChatWorld world;
  world.engine.inject({std::nullopt, "getArchive", "", 0, {}, 1, /*midStream=*/true});
  std::string error = world.backup(Consistency::Stop, {Component::Volumes});
  EXPECT_NE(error.find("cannot reach the Docker engine"), std::string::npos) << error;
  EXPECT_TRUE(world.repository.list("chat").empty());
  EXPECT_EQ(world.journalHeld(),
            (std::vector<std::string>{"chat-backend-1", "chat-redis-1", "chat-worker-1"}));

  world.engine.bringBack();
  auto undone = undoDeadRun(world.engine, world.repository, "chat");
  EXPECT_EQ(world.chat.states(), kAllRunning);
  EXPECT_TRUE(world.journalHeld().empty());
  // The helper that copied the volume could not be removed while the engine was gone.
  for (const auto& c : world.engine.listContainers({{"label", {dockerapi::kHelperLabel}}}, true))
    ADD_FAILURE() << "helper " << c.name << " left";
  EXPECT_TRUE(world.repository.removeAbandoned("chat").empty());
}

// An engine answers GET /archive as complete when a file shrinks or vanishes while it is read (the
// stream stops inside that entry). Such a stream is read again; what is stored is whole.
TEST(BackupFlow, ATornArchiveStreamIsReadAgainAndWhatIsStoredIsWhole) {
  ChatWorld world;
  agentchat_test::Fault torn{std::nullopt, "getArchive", "", 0, {}, 2};
  torn.torn = true;
  world.engine.inject(torn);
  ASSERT_EQ(world.backup(Consistency::Online, {Component::Volumes}), "");
  std::size_t reads = 0;
  for (const auto& call : world.engine.calls()) reads += call.call == "getArchive";
  EXPECT_EQ(reads, 3u);
  auto ids = world.repository.list("chat");
  ASSERT_EQ(ids.size(), 1u);
  volumes::BackupRef backup{&world.repository, "chat", ids.front()};
  for (const auto& part : world.repository.read("chat", ids.front()).parts) {
    auto check = volumes::checkPart(backup, part, true, nullptr);
    EXPECT_TRUE(check.ok) << part.name << ": " << check.problem;
  }
  EXPECT_EQ(world.chat.states(), kAllRunning);
}

TEST(BackupFlow, AnArchiveTornEveryTimeFailsTheBackupSayingWhatToDoAndLeavesNothing) {
  ChatWorld world;
  agentchat_test::Fault torn{std::nullopt, "getArchive", "", 0, {}, 3};
  torn.torn = true;
  world.engine.inject(torn);
  std::string error = world.backup(Consistency::Online, {Component::Volumes});
  EXPECT_NE(error.find("volume chat_app_data: the engine's archive stream was torn 3 times"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("--consistency stop"), std::string::npos) << error;
  EXPECT_TRUE(world.repository.list("chat").empty());
  EXPECT_TRUE(world.repository.removeAbandoned("chat").empty()) << "a staging directory was left";
  EXPECT_EQ(world.chat.states(), kAllRunning);
}

// Under heavy I/O the cgroup freezer gives up on a task stuck in the kernel (seen on Engine 26 while
// another stack wrote 20 MB files in a loop): the engine answers 500 "unable to freeze" and leaves
// the container running. The pause is tried again; three refusals fail the backup as any other.
TEST(BackupFlow, APauseTheFreezerRefusesIsTriedAgain) {
  for (int refusals : {2, 3}) {
    SCOPED_TRACE(std::to_string(refusals) + " refusals");
    ChatWorld world;
    world.engine.inject({std::nullopt, "pauseContainer", "chat-backend-1", 500,
                         "OCI runtime pause failed: unable to freeze: unknown", refusals});
    std::string error = world.backup(Consistency::Online, {Component::Redis});
    std::size_t pauses = 0;
    for (const auto& call : world.engine.calls())
      pauses += call.call == "pauseContainer" && call.target == "chat-backend-1";
    EXPECT_EQ(pauses, 3u);  // two refused, the third succeeds; or three refused
    if (refusals == 2) {
      EXPECT_EQ(error, "");
      EXPECT_EQ(world.repository.list("chat").size(), 1u);
    } else {
      EXPECT_NE(error.find("unable to freeze"), std::string::npos) << error;
      EXPECT_TRUE(world.repository.list("chat").empty());
    }
    EXPECT_EQ(world.chat.states(), kAllRunning);
    EXPECT_TRUE(world.journalHeld().empty());
  }
}

}  // namespace
