// The engine goes away in the middle of a restore or a backup: a second engine (tests/engine2.sh),
// stopped on purpose while a proxy in front of it holds the command between two steps. A restore says the
// engine is unreachable and that its rollback could not run, and its safety snapshot brings the data back; a
// backup leaves nothing that looks complete, and what it could not resume is undone by the next run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_support.hpp"
#include "restore_stack.hpp"
#include "second_engine.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

TEST(RestoreEngine, AnEngineThatStopsMidRestoreLeavesTheSafetySnapshotRestorable) {
  e2e::SecondEngine second;
  auto started = second.start();
  // Never skipped: an engine that cannot start is a failure, with its log.
  ASSERT_EQ(started.exitCode, 0) << started.out << started.err;
  ::setenv("DOCKER_HOST", second.host.c_str(), 1);  // for docker-compose and the plugin
  auto enginePtr = second.engine();
  auto& engine = *enginePtr;
  ASSERT_NO_THROW(engine.apiVersion());

  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = stack.seedAndBackUp();
  ASSERT_FALSE(id.empty());
  stack.changeSinceBackup();
  auto before = stack.fingerprint();

  // The restore is held before it replaces the volume (MySQL and Redis already restored: after the
  // apps' stop, the Redis helper's wait, the next container created is the volume's helper); the
  // engine goes down; the restore carries on into it.
  auto restore = second.stopWhileHeld(
      R"(^POST .*/containers/create)", {R"(/stop\?)", R"(/wait\?)"}, [&](const std::string& proxyHost) {
        return stack.plugin({"restore", id, "--yes"}, {{"DOCKER_HOST", proxyHost}});
      });
  EXPECT_EQ(restore.exitCode, 5) << restore.err;
  EXPECT_THAT(restore.err, HasSubstr("cannot reach the Docker engine"));
  EXPECT_THAT(restore.err, HasSubstr("The rollback failed too"));

  // The engine is back (its containers stopped with it): the safety snapshot is listed, named in
  // the error, and restores the data as it was before the restore began.
  ASSERT_EQ(second.run("start").exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  std::string safety;
  for (const auto& b : json::parse(stack.plugin({"list", "--json"}).out)) {
    if (b["label"] == "pre-restore") safety = b["id"];
  }
  ASSERT_FALSE(safety.empty());
  EXPECT_THAT(restore.err, HasSubstr("docker agentchat restore " + safety + " --yes"));
  auto back = stack.plugin({"restore", safety, "--yes"});
  ASSERT_EQ(back.exitCode, 0) << back.err;
  auto after = stack.fingerprint();
  e2e::expectSameData(before, after);
}

// The engine restarts while a backup holds the app paused: the backup fails naming the engine and
// leaves no backup that looks complete; once the engine is back, `status` finds what the run could
// not resume and says so, and the next backup succeeds.
TEST(RestoreEngine, AnEngineRestartedMidBackupLeavesNothingLookingCompleteAndTheNextRunUndoesIt) {
  e2e::SecondEngine second;
  auto started = second.start();
  ASSERT_EQ(started.exitCode, 0) << started.out << started.err;
  ::setenv("DOCKER_HOST", second.host.c_str(), 1);
  auto enginePtr = second.engine();
  auto& engine = *enginePtr;
  ASSERT_NO_THROW(engine.apiVersion());

  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string first = stack.seedAndBackUp();
  ASSERT_FALSE(first.empty());

  // Held with the app paused: the first database snapshot's exec after the pause.
  auto backup = second.stopWhileHeld(R"(^POST .*/containers/[^/]+/exec$)", {R"(/pause$)"},
                                     [&](const std::string& proxyHost) {
                                       return stack.plugin({"backup"}, {{"DOCKER_HOST", proxyHost}});
                                     });
  EXPECT_EQ(backup.exitCode, 3) << backup.err;
  EXPECT_THAT(backup.err, HasSubstr("cannot reach the Docker engine"));
  ASSERT_EQ(second.run("start").exitCode, 0);
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());

  // Only the first backup is complete; nothing half-written is left beside it.
  auto list = json::parse(stack.plugin({"list", "--json"}).out);
  ASSERT_EQ(list.size(), 1u) << list.dump();
  EXPECT_EQ(list[0]["id"], first);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(stack.repo() / stack.project())) {
    std::string name = e.path().filename();
    if (name.rfind(".partial-", 0) == 0) left.push_back(name);
  }
  EXPECT_TRUE(left.empty()) << left.front();
  auto status = stack.plugin({"status"});
  EXPECT_THAT(status.out, HasSubstr("could not resume everything it held")) << status.out;
  EXPECT_FALSE(fs::exists(stack.repo() / stack.project() / ".journal"));
  EXPECT_EQ(stack.plugin({"verify", first}).exitCode, 0);
  auto next = stack.plugin({"backup"});
  EXPECT_EQ(next.exitCode, 0) << next.err;
}
