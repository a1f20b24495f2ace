// Pure logic of a backup: what the plan takes, which rows a dump holds, which backups a retention
// policy keeps.
#include <gtest/gtest.h>

#include "agentchat_stack.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "plugin/databases/dump_row_counter.hpp"
#include "volumes/retention.hpp"

using namespace agentchat;
using agentchat_test::agentchatStack;

namespace {

std::vector<std::string> names(const BackupPlan& plan) {
  std::vector<std::string> out;
  for (const auto& p : plan.parts) out.push_back(p.name);
  return out;
}

}  // namespace

TEST(BackupPlan, OnlineDumpsDatabasesCopiesOtherVolumesAndPausesOnlyApps) {
  auto plan = planBackup(agentchatStack(), {});
  EXPECT_EQ(names(plan),
            (std::vector<std::string>{"logs-backend-app-logs.tar.zst", "mysql.sql.zst", "redis.rdb.zst",
                                      "volume-app_data.tar.zst", "config.tar.zst"}));
  ASSERT_EQ(plan.hold.size(), 1u);
  EXPECT_EQ(plan.hold[0].name, "chat_backend_1");
  EXPECT_EQ(plan.notes.size(), 2u);  // the two database volumes, covered by their dumps
}

TEST(BackupPlan, StopCopiesEveryVolumeRawAndStopsDependentsFirst) {
  auto plan = planBackup(agentchatStack(), {Consistency::Stop, {}});
  EXPECT_EQ(names(plan), (std::vector<std::string>{"logs-backend-app-logs.tar.zst", "volume-app_data.tar.zst",
                                                   "volume-mysql_data.tar.zst", "volume-redis_data.tar.zst",
                                                   "config.tar.zst"}));
  ASSERT_EQ(plan.hold.size(), 3u);
  EXPECT_EQ(plan.hold[0].name, "chat_backend_1");  // it depends on the other two
}

TEST(BackupPlan, OnlyNarrowsAndUnknownPartsAreRefused) {
  auto plan = planBackup(agentchatStack(), {Consistency::Online, parseComponents("mysql,config")});
  EXPECT_EQ(names(plan), (std::vector<std::string>{"mysql.sql.zst", "config.tar.zst"}));
  EXPECT_THROW(parseComponents("mysql,postgresql"), std::invalid_argument);
}

TEST(BackupPlan, ARunningOneOffContainerIsNamedNotHeld) {
  auto stack = agentchatStack();
  stack.oneOffs = {"agentchat-backend-run-1a2b"};
  auto plan = planBackup(stack, {Consistency::Stop, {}});
  ASSERT_FALSE(plan.notes.empty());
  EXPECT_NE(plan.notes.back().find("agentchat-backend-run-1a2b (docker compose run) is running"),
            std::string::npos);
  for (const auto& c : plan.hold) EXPECT_NE(c.name, "agentchat-backend-run-1a2b");
}

TEST(BackupPlan, SkippedServicesAndMissingVolumesAreNotedNotTaken) {
  auto stack = agentchatStack();
  stack.services["redis"].settings.skip = true;
  stack.volumes["app_data"].exists = false;
  auto plan = planBackup(stack, {});
  EXPECT_EQ(names(plan),
            (std::vector<std::string>{"logs-backend-app-logs.tar.zst", "mysql.sql.zst", "config.tar.zst"}));
  EXPECT_EQ(plan.notes.size(), 4u);
}

TEST(DumpRowCounter, CountsRowsPerTableAcrossChunksQuotesAndEscapes) {
  std::string sql =
      "-- MariaDB dump\n"
      "USE `agentchat`;\n"
      "INSERT INTO `user` VALUES ('u1','a (b), c'),('u2','it\\'s; (x)'),('u3',NULL);\n"
      "INSERT INTO `user` VALUES ('u4','multi\nline ('),('u5','');\n"
      "INSERT INTO `we``ird` (`a`,`b`) VALUES (1,2);\n"
      "USE `other`;\n"
      "INSERT INTO `user` VALUES (0x28,'()');\n"
      "-- INSERT INTO `fake` VALUES (1);\n";
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, sql.size()}) {
    DumpRowCounter counter;
    for (std::size_t at = 0; at < sql.size(); at += step)
      counter.feed(std::string_view(sql).substr(at, step));
    EXPECT_EQ(counter.rows(), (std::map<std::string, std::uint64_t>{
                                  {"agentchat.user", 5}, {"agentchat.we`ird", 1}, {"other.user", 1}}))
        << "chunk size " << step;
  }
}

TEST(Retention, KeepsTheNewestBackupThatPassedTheSanityChecks) {
  // The two newest are much smaller than usual (a table emptied by mistake, say): the newest good
  // one survives a keep-last 1.
  std::vector<volumes::BackupSummary> backups = {{"20261124T020000Z", false, false},
                                                 {"20261123T020000Z", false, false},
                                                 {"20261122T020000Z", false, true},
                                                 {"20261121T020000Z", false, true}};
  auto decisions = volumes::applyRetention(backups, {1, 0, 0, 0});
  ASSERT_EQ(decisions.size(), 4u);
  EXPECT_TRUE(decisions[0].keep);
  EXPECT_FALSE(decisions[1].keep);
  EXPECT_TRUE(decisions[2].keep);
  EXPECT_EQ(decisions[2].reasons, std::vector<std::string>{"newest sane"});
  EXPECT_FALSE(decisions[3].keep);
}

TEST(Retention, KeepsPerRuleAndAlwaysTheNewestAndNewestVerified) {
  std::vector<volumes::BackupSummary> backups = {{"20261124T020000Z", false}, {"20261124T140000Z", false},
                                                 {"20261123T020000Z", false}, {"20261122T020000Z", true},
                                                 {"20261101T020000Z", false}, {"20261015T020000Z", false}};
  auto decisions = volumes::applyRetention(backups, {0, 2, 0, 0});
  std::map<std::string, bool> keep;
  for (const auto& d : decisions) keep[d.id] = d.keep;
  EXPECT_TRUE(keep["20261124T140000Z"]);   // newest, and daily 2026-11-24
  EXPECT_FALSE(keep["20261124T020000Z"]);  // same day, older
  EXPECT_TRUE(keep["20261123T020000Z"]);   // daily 2026-11-23
  EXPECT_TRUE(keep["20261122T020000Z"]);   // newest verified
  EXPECT_FALSE(keep["20261101T020000Z"]);
  EXPECT_EQ(decisions.front().id, "20261124T140000Z");

  auto monthly = volumes::applyRetention(backups, {1, 0, 0, 3});
  for (const auto& d : monthly) keep[d.id] = d.keep;
  EXPECT_TRUE(keep["20261015T020000Z"]);           // monthly 2026-10
  EXPECT_TRUE(keep["20261101T020000Z"] == false);  // November's newest is 20261124T140000Z
}

TEST(Retention, AnEmptyPolicyStillKeepsTheNewest) {
  auto decisions = volumes::applyRetention({{"20261124T020000Z", false}, {"20261123T020000Z", false}}, {});
  EXPECT_TRUE(decisions[0].keep);
  EXPECT_FALSE(decisions[1].keep);
  EXPECT_THROW(volumes::applyRetention({{"yesterday", false}}, {}), std::invalid_argument);
}
