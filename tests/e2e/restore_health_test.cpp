// restore and the apps' health checks (issue #15, field failure 2): the data checks decide a
// rollback; an app that is not healthy afterwards is reported with its last probe (exit 6), not
// undone; an app that was unhealthy before the restore too is no reason to fail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_support.hpp"
#include "restore_stack.hpp"

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// The backend's health as the engine reports it once it is `want` (fresh: a probe after its start).
bool backendBecomes(dockerapi::Engine& engine, const e2e::RestoreStack& stack, const std::string& want) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto info = engine.inspectContainer(stack.container("backend"));
    if (info.health == want && info.healthState && !info.healthState->log.empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return false;
}

// A backup whose app_data volume makes the backend fail its check (the marker stays in place).
std::string backUpWithTheMarker(const e2e::RestoreStack& stack) {
  stack.sh("backend", "touch /app/data/unhealthy");
  return stack.seedAndBackUp();
}

const std::vector<std::string> kOverlays{"docker-compose.secrets.yml", "docker-compose.health.yml"};

}  // namespace

TEST(RestoreHealth, AnAppUnhealthyAfterTheRestoreIsReportedAndTheVerifiedDataStay) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, kOverlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = backUpWithTheMarker(stack);
  ASSERT_FALSE(id.empty());
  auto backedUp = stack.fingerprint();
  stack.sh("backend", "rm /app/data/unhealthy");
  stack.changeSinceBackup();
  ASSERT_TRUE(backendBecomes(engine, stack, "healthy"));

  auto restore = stack.plugin({"restore", id, "--yes", "--json"});
  EXPECT_EQ(restore.exitCode, 6) << restore.err;
  EXPECT_THAT(restore.err, HasSubstr("service backend"));
  EXPECT_THAT(restore.err, HasSubstr("is unhealthy"));
  EXPECT_THAT(restore.err, HasSubstr("/app/data/unhealthy is present"));  // its last probe's output
  EXPECT_THAT(restore.err, HasSubstr("nothing was rolled back"));
  EXPECT_THAT(restore.err, Not(HasSubstr("rolling back")));
  auto result = json::parse(restore.out);
  ASSERT_EQ(result["apps"].size(), 1u) << restore.out;
  EXPECT_EQ(result["apps"][0]["service"], "backend");
  EXPECT_EQ(result["apps"][0]["before"], "healthy");
  EXPECT_EQ(result["apps"][0]["health"], "unhealthy");
  // Docker decides after two failed probes two seconds apart: no long wait.
  EXPECT_LT(result["apps"][0]["seconds"].get<double>(), 20) << restore.out;
  EXPECT_TRUE(stack.allRunning());
  e2e::expectSameData(backedUp, stack.fingerprint());
  auto audit = stack.auditLines();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back()["command"], "restore");
  EXPECT_NE(audit.back()["outcome"], "ok");
}

TEST(RestoreHealth, AnAppUnhealthyBeforeTheRestoreIsNoReasonToFailAndTheWaitCanBeSet) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, kOverlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = backUpWithTheMarker(stack);
  ASSERT_FALSE(id.empty());
  stack.changeSinceBackup();
  ASSERT_TRUE(backendBecomes(engine, stack, "unhealthy"));

  auto restore = stack.plugin({"restore", id, "--yes"});
  EXPECT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_THAT(restore.err, HasSubstr("warning: service backend"));
  EXPECT_THAT(restore.err, HasSubstr("before the restore too"));
  // The human report names each step with its time.
  EXPECT_THAT(restore.out, HasSubstr("safety snapshot"));
  EXPECT_THAT(restore.out, HasSubstr("apps"));
  EXPECT_THAT(restore.out, HasSubstr("app backend"));

  // A healthy app that has no verdict within --health-wait is reported as such.
  stack.sh("backend", "rm /app/data/unhealthy");
  ASSERT_TRUE(backendBecomes(engine, stack, "healthy"));
  std::string healthy = json::parse(stack.plugin({"backup", "--json"}).out)["id"];
  // The backup paused it: probes fail while it is paused.
  ASSERT_TRUE(backendBecomes(engine, stack, "healthy"));
  auto quick = stack.plugin({"restore", healthy, "--yes", "--health-wait", "0"});
  EXPECT_EQ(quick.exitCode, 6) << quick.err;
  EXPECT_THAT(quick.err, HasSubstr("has not passed its health check within 0 s (--health-wait)"));
}
