#include <gtest/gtest.h>

#include "plugin/mysql_client.hpp"
#include "plugin/redis_client.hpp"

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
