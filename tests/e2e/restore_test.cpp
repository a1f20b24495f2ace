// restore against the real engine: backup → docker compose down -v → up → restore gives back
// identical data (both consistency modes, both MySQL-like and MariaDB 11 images); a failure at any
// step rolls back to identical pre-restore data; bad backups are refused before anything changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "e2e_support.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

struct RoundTrip {
  std::string name;
  std::vector<std::string> overlays;
  std::string consistency;
};

class RestoreRoundTrip : public ::testing::TestWithParam<RoundTrip> {};

std::string backupId(const e2e::ProcessResult& backup) {
  return json::parse(backup.out)["id"].get<std::string>();
}

}  // namespace

TEST_P(RestoreRoundTrip, BackupDownVUpRestoreGivesIdenticalData) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, GetParam().overlays);
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  stack.seed();
  auto before = stack.fingerprint();
  auto backup = stack.plugin({"backup", "--consistency", GetParam().consistency, "--json"});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  std::string id = backupId(backup);

  // Everything goes: containers, volumes; the bind mount changes on the host.
  ASSERT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
  fs::remove(stack.dir() / "uploads/avatars/me.png");
  std::ofstream(stack.dir() / "uploads/after-the-backup.txt") << "newer\n";
  ASSERT_EQ(stack.compose({"up", "-d"}).exitCode, 0);
  ASSERT_TRUE(stack.waitReady());
  ASSERT_NE(stack.fingerprint(), before);

  auto restore = stack.plugin({"restore", id, "--yes", "--json"});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  EXPECT_TRUE(stack.allRunning());
  auto after = stack.fingerprint();
  for (const auto& [what, value] : before) EXPECT_EQ(after[what], value) << what;

  // The state it replaced was kept first, as an ordinary backup labelled pre-restore.
  std::string safety = json::parse(restore.out)["safetySnapshot"].get<std::string>();
  ASSERT_FALSE(safety.empty());
  auto list = json::parse(stack.plugin({"list", "--json"}).out);
  bool listed = false;
  for (const auto& b : list) listed = listed || (b["id"] == safety && b["label"] == "pre-restore");
  EXPECT_TRUE(listed) << list.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Stacks, RestoreRoundTrip,
    ::testing::Values(
        RoundTrip{"MysqlLikeOnline", {"docker-compose.prod.yml"}, "online"},
        RoundTrip{"MysqlLikeStop", {"docker-compose.prod.yml"}, "stop"},
        RoundTrip{"Mariadb11Online", {"docker-compose.prod.yml", "docker-compose.mariadb11.yml"}, "online"},
        RoundTrip{"Mariadb11Stop", {"docker-compose.prod.yml", "docker-compose.mariadb11.yml"}, "stop"}),
    [](const auto& info) { return info.param.name; });

// Each step's failure (forced by the test-only fault hook) rolls back: the data is the same as
// before the restore, byte for byte, and the stack runs.
TEST(Restore, AFailureAtAnyStepRollsBackToIdenticalData) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  stack.seed();
  auto backup = stack.plugin({"backup", "--json"});
  ASSERT_EQ(backup.exitCode, 0) << backup.err;
  std::string id = backupId(backup);
  // Newer than the backup everywhere, so a restore that went through would show.
  stack.mysql("INSERT INTO agentchat.emoji VALUES (9, 'after the backup', NULL, 1)");
  stack.redis({"SET", "after", "the backup"});
  stack.sh("backend", "echo newer > /app/data/dir/newer");
  std::ofstream(stack.dir() / "uploads/newer.txt") << "newer\n";
  auto before = stack.fingerprint();

  for (std::string point :
       {"mysql", "mysql-halfway", "redis", "redis-start", "volumes", "config", "start", "verify"}) {
    SCOPED_TRACE(point);
    auto restore = stack.plugin({"restore", id, "--yes"}, {{"AGENTCHAT_TEST_FAULT", "restore:" + point}});
    EXPECT_EQ(restore.exitCode, 1) << restore.err;
    EXPECT_THAT(restore.err, HasSubstr("failed at step"));
    EXPECT_THAT(restore.err, HasSubstr("Rolled back"));
    EXPECT_TRUE(stack.allRunning());
    auto after = stack.fingerprint();
    for (const auto& [what, value] : before) EXPECT_EQ(after[what], value) << what;
  }
}
