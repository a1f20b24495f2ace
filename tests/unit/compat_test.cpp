// The version-rollback check: each kind of difference between a backup and the running stack,
// with the guide's per-module risks.
#include "plugin/compat/compat.hpp"

#include <gtest/gtest.h>

using namespace agentchat;
using nlohmann::json;

namespace {

json backupDetail() {
  return json::parse(R"json({
    "serverVersion": "10.11.6-MariaDB", "mariadb": true, "databases": ["agentchat"],
    "tables": {
      "agentchat.dialog": {"columns": "x", "columnList": [["dialog_id", "varchar(32)", false], ["name", "varchar(128)", true]]},
      "agentchat.user": {"columns": "x", "columnList": [["user_id", "varchar(32)", false], ["user_email", "varchar(128)", true]]},
      "agentchat.knowledge": {"columns": "x", "columnList": [["id", "varchar(32)", false]]},
      "agentchat.old_table": {
  "columns" : "x", "columnList" : [[ "id", "int(11)", false ]]
}
}
})json");
}

MysqlSurvey liveLikeBackup() {
  MysqlSurvey live;
  live.version = "10.11.6-MariaDB";
  live.mariadb = true;
  live.databases = {"agentchat"};
  live.tables["agentchat.dialog"].columnList = {{"dialog_id", "varchar(32)", false},
                                                {"name", "varchar(128)", true}};
  live.tables["agentchat.user"].columnList = {{"user_id", "varchar(32)", false},
                                              {"user_email", "varchar(128)", true}};
  live.tables["agentchat.knowledge"].columnList = {{"id", "varchar(32)", false}};
  live.tables["agentchat.old_table"].columnList = {{"id", "int(11)", false}};
  return live;
}

const Finding* about(const std::vector<Finding>& findings, const std::string& subject) {
  for (const auto& f : findings) {
    if (f.subject == subject) return &f;
  }
  return nullptr;
}

}  // namespace

TEST(Compat, TheSameSchemaAndServerHaveNoFindings) {
  EXPECT_TRUE(compareMysql(backupDetail(), liveLikeBackup()).empty());
}

TEST(Compat, ServerVersionJumpsAreRatedByDirectionAndSize) {
  auto live = liveLikeBackup();
  live.version = "10.11.9-MariaDB";
  EXPECT_EQ(compareMysql(backupDetail(), live).at(0).risk, Risk::Low);
  live.version = "11.4.2-MariaDB";
  EXPECT_EQ(compareMysql(backupDetail(), live).at(0).risk, Risk::Medium);
  live.version = "10.6.18-MariaDB";  // the backup is newer than the server
  EXPECT_EQ(compareMysql(backupDetail(), live).at(0).risk, Risk::High);
  live.version = "8.0.36";
  live.mariadb = false;
  EXPECT_EQ(compareMysql(backupDetail(), live).at(0).risk, Risk::High);
}

TEST(Compat, ColumnChangesAreFoundAndTheGuidesModulesRaiseTheirRisk) {
  auto live = liveLikeBackup();
  live.tables["agentchat.user"].columnList.push_back({"phone", "varchar(32)", true});  // added since
  live.tables["agentchat.dialog"].columnList[1] = {"name", "varchar(64)", false};  // retyped, NOT NULL now
  live.tables["agentchat.knowledge"].columnList.push_back({"index_version", "int", true});
  live.tables.erase("agentchat.old_table");
  live.tables["agentchat.new_table"].columnList = {{"id", "int", false}};
  auto findings = compareMysql(backupDetail(), live);

  ASSERT_NE(about(findings, "agentchat.user.phone"), nullptr);
  EXPECT_EQ(about(findings, "agentchat.user.phone")->risk, Risk::High);
  std::vector<const Finding*> dialogName;
  for (const auto& f : findings) {
    if (f.subject == "agentchat.dialog.name") dialogName.push_back(&f);
  }
  ASSERT_EQ(dialogName.size(), 2u);  // type and nullability
  EXPECT_EQ(dialogName[0]->change, "varchar(128) -> varchar(64)");
  EXPECT_EQ(dialogName[1]->risk, Risk::Medium);
  EXPECT_EQ(about(findings, "agentchat.knowledge.index_version")->risk, Risk::High);
  EXPECT_EQ(about(findings, "agentchat.old_table")->risk, Risk::Low);
  EXPECT_EQ(about(findings, "agentchat.new_table")->risk, Risk::Medium);
  EXPECT_EQ(worst(findings), Risk::High);
}

TEST(Compat, ARemovedUserColumnIsAtLeastTheUserSystemsMediumRisk) {
  auto live = liveLikeBackup();
  live.tables["agentchat.user"].columnList.pop_back();
  auto findings = compareMysql(backupDetail(), live);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].risk, Risk::Medium);
  EXPECT_NE(findings[0].reason.find("user system"), std::string::npos);
}

namespace {
RedisServer redis(std::string version) {
  return {RedisFlavour::Redis, std::move(version)};
}
RedisServer valkey(std::string version) {
  return {RedisFlavour::Valkey, std::move(version)};
}
Risk redisRisk(const RedisServer& backup, const RedisServer& live) {
  auto findings = compareRedis(rdbWrittenBy(backup), backup, live);
  return findings.empty() ? Risk::Low : findings.at(0).risk;
}
}  // namespace

TEST(Compat, RedisRefusesNewerRdbFormats) {
  EXPECT_EQ(rdbVersionOf("7.0.15"), 10);
  EXPECT_EQ(rdbVersionOf("7.2.4"), 11);
  EXPECT_EQ(rdbVersionOf("6.2.14"), 9);
  EXPECT_EQ(rdbVersionOf("7.4.2"), 12);
  EXPECT_EQ(rdbVersionOf("8.0.2"), 12);
  EXPECT_EQ(rdbVersionOf("8.6.0"), 13);
  EXPECT_TRUE(compareRedis(10, redis("7.0.15"), redis("7.0.15")).empty());
  EXPECT_EQ(compareRedis(10, redis("7.0.15"), redis("7.2.4")).at(0).risk, Risk::Low);
  EXPECT_EQ(compareRedis(11, redis("7.2.4"), redis("7.0.15")).at(0).risk, Risk::High);
}

TEST(Compat, RedisAndValkeyAreJudgedByTheFormatEachWritesAndReads) {
  EXPECT_EQ(redisRisk(redis("8.0.2"), redis("7.0.15")), Risk::High);   // RDB 12 > 10
  EXPECT_EQ(redisRisk(redis("8.0.2"), valkey("8.1.1")), Risk::High);   // Valkey refuses RDB 12
  EXPECT_EQ(redisRisk(redis("7.0.15"), valkey("8.1.1")), Risk::Low);   // RDB 10 <= 11
  EXPECT_EQ(redisRisk(valkey("8.1.1"), redis("8.0.2")), Risk::Low);    // RDB 11 <= 12
  EXPECT_EQ(redisRisk(valkey("8.1.1"), redis("7.0.15")), Risk::High);  // RDB 11 > 10
  EXPECT_EQ(redisRisk(valkey("8.1.1"), valkey("8.0.2")), Risk::Low);   // both RDB 11
  EXPECT_EQ(redisRisk(valkey("9.0.0"), valkey("8.1.1")), Risk::High);  // RDB 80 is Valkey 9's
  EXPECT_EQ(redisRisk(valkey("8.1.1"), valkey("9.0.0")), Risk::Low);
  EXPECT_EQ(redisRisk(valkey("9.0.0"), redis("8.6.0")), Risk::High);  // Redis never reads 80
  EXPECT_EQ(redisRisk(redis("7.4.2"), valkey("9.0.0")), Risk::High);  // 12 is "foreign" to Valkey 9
  EXPECT_TRUE(compareRedis(11, valkey("8.1.1"), valkey("8.1.1")).empty());

  auto findings = compareRedis(12, redis("8.0.2"), valkey("8.1.1"));
  EXPECT_EQ(findings.at(0).change, "Redis 8.0.2 (RDB 12) -> Valkey 8.1.1");
  EXPECT_NE(findings.at(0).reason.find("foreign"), std::string::npos);
  EXPECT_NE(compareRedis(11, valkey("8.1.1"), redis("8.0.2")).at(0).reason.find("share"), std::string::npos);
}

TEST(Compat, TheRdbHeaderOfRedisAndOfValkey9) {
  EXPECT_EQ(rdbVersionFromHeader("REDIS0011"), 11);
  EXPECT_EQ(rdbVersionFromHeader("REDIS0012\xfa"), 12);
  EXPECT_EQ(rdbVersionFromHeader("VALKEY080"), 80);
  EXPECT_EQ(rdbVersionFromHeader("REDIS00"), -1);
  EXPECT_EQ(rdbVersionFromHeader("PK\x03\x04zipfile"), -1);
}

TEST(Compat, TheServerIsValkeyWhenInfoSaysSoThoughRedisVersionStaysAt724) {
  auto server =
      redisServerFrom({{"redis_version", "7.2.4"}, {"server_name", "valkey"}, {"valkey_version", "8.1.1"}});
  EXPECT_EQ(server.flavour, RedisFlavour::Valkey);
  EXPECT_EQ(server.version, "8.1.1");
  server = redisServerFrom({{"redis_version", "8.0.2"}});
  EXPECT_EQ(server.flavour, RedisFlavour::Redis);
  EXPECT_EQ(server.version, "8.0.2");
}

TEST(Compat, AManifestWithoutAFlavourComesFromRedis) {
  auto old = redisServerOf(json{{"version", "7.0.15"}});
  EXPECT_EQ(old.flavour, RedisFlavour::Redis);
  EXPECT_EQ(old.version, "7.0.15");
  auto now = redisServerOf(json{{"version", "7.2.4"}, {"flavour", "valkey"}, {"serverVersion", "8.1.1"}});
  EXPECT_EQ(now.flavour, RedisFlavour::Valkey);
  EXPECT_EQ(now.version, "8.1.1");
}

TEST(Compat, AMariaDb118BackupAgainstA1011StackIsAMajorDowngrade) {
  json backup = backupDetail();
  backup["serverVersion"] = "11.8.2-MariaDB-ubu2404";
  auto live = liveLikeBackup();
  live.version = "10.11.13-MariaDB-ubu2204";
  auto findings = compareMysql(backup, live);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings.at(0).subject, "mysql server");
  EXPECT_EQ(findings.at(0).risk, Risk::High);
  EXPECT_NE(findings.at(0).reason.find("newer server"), std::string::npos);
}
