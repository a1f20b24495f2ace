#include <gtest/gtest.h>

#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/redis_client.hpp"

using agentchat::parseBatchOutput;
using agentchat::parseRedisInfo;

TEST(MysqlBatchOutput, SplitsRowsAndColumnsAndUnescapes) {
  auto rows = parseBatchOutput("agentchat\tuser\t3\nagentchat\tmessage\tNULL\nx\ta\\tb\\nc\\\\d");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], "user");
  EXPECT_EQ(rows[0][2], "3");
  EXPECT_FALSE(rows[1][2].has_value());
  EXPECT_EQ(rows[2][1], "a\tb\nc\\d");
}

TEST(MysqlBatchOutput, EmptyFieldsAreKept) {
  auto rows = parseBatchOutput("\t\tz");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 3u);
  EXPECT_EQ(rows[0][0], "");
  EXPECT_EQ(rows[0][2], "z");
}

TEST(RedisInfo, ParsesSectionsIgnoringComments) {
  auto info = parseRedisInfo(
      "# Server\r\nredis_version:7.0.15\r\n\r\n# Persistence\r\nrdb_last_bgsave_status:ok\r\n"
      "db0:keys=3,expires=1,avg_ttl=0\r\n");
  EXPECT_EQ(info.at("redis_version"), "7.0.15");
  EXPECT_EQ(info.at("rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(info.at("db0"), "keys=3,expires=1,avg_ttl=0");
  EXPECT_EQ(info.count("# Server"), 0u);
}

#include "plugin/databases/mysql_dump.hpp"

TEST(MysqlDump, CommandFitsTheServer) {
  agentchat::MysqlTools mariadb{"mariadb", "mariadb-dump", "mariadb-admin"};
  auto m = agentchat::dumpCommand(mariadb, "root", true, "11.4.2-MariaDB", true, {"agentchat"});
  auto has = [](const std::vector<std::string>& cmd, const std::string& word) {
    return std::find(cmd.begin(), cmd.end(), word) != cmd.end();
  };
  EXPECT_EQ(m.front(), "mariadb-dump");
  for (const char* flag : {"--single-transaction", "--routines", "--triggers", "--events", "--hex-blob"}) {
    EXPECT_TRUE(has(m, flag)) << flag;
  }
  EXPECT_FALSE(has(m, "--set-gtid-purged=OFF"));  // MariaDB rejects it
  EXPECT_TRUE(has(m, "--master-data=2"));
  EXPECT_EQ(m.back(), "agentchat");

  agentchat::MysqlTools mysql{"mysql", "mysqldump", "mysqladmin"};
  auto modern = agentchat::dumpCommand(mysql, "root", false, "8.4.3", true, {"a", "b"});
  EXPECT_TRUE(has(modern, "--set-gtid-purged=OFF"));
  EXPECT_TRUE(has(modern, "--source-data=2"));
  EXPECT_TRUE(has(agentchat::dumpCommand(mysql, "root", false, "8.0.3", true, {"a"}), "--master-data=2"));
  EXPECT_TRUE(
      has(agentchat::dumpCommand(mysql, "root", false, "5.7.44-log", true, {"a"}), "--master-data=2"));
  auto noBinlog = agentchat::dumpCommand(mysql, "root", false, "8.0.36", false, {"a"});
  EXPECT_FALSE(has(noBinlog, "--source-data=2"));
  for (const auto& word : modern) {  // never -pSECRET or --password: the password travels in MYSQL_PWD
    EXPECT_FALSE(word.rfind("-p", 0) == 0 && word.rfind("--", 0) != 0) << word;
    EXPECT_EQ(word.find("--password"), std::string::npos) << word;
  }
}

TEST(MysqlDump, ParsesTheBinlogPositionComment) {
  auto position = agentchat::parseBinlogPosition(
      "-- MariaDB dump\n--\n-- CHANGE MASTER TO MASTER_LOG_FILE='binlog.000002', MASTER_LOG_POS=339;\n");
  ASSERT_TRUE(position);
  EXPECT_EQ(position->first, "binlog.000002");
  EXPECT_EQ(position->second, 339u);
  auto mysql84 = agentchat::parseBinlogPosition(
      "-- CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='b.000007', SOURCE_LOG_POS=157;");
  ASSERT_TRUE(mysql84);
  EXPECT_EQ(mysql84->second, 157u);
  EXPECT_FALSE(agentchat::parseBinlogPosition("-- no position here"));
}
