// The engine goes away in the middle of a restore. A second engine (tests/engine2.sh), stopped on
// purpose while the restore holds between two steps: the restore says the engine is unreachable and
// that its rollback could not run, and the safety snapshot it took is listed and brings the data back.
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

  // The restore stops before replacing the volume (MySQL and Redis already restored); the engine
  // goes down; the restore carries on into it.
  auto restore =
      second.stopWhileHeld("restore:hold:volume-before", stack.repo() / "hold", [&](const auto& hook) {
        return stack.plugin({"restore", id, "--yes"}, hook);
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
