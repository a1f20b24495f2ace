// The Redis snapshot against the real server (AOF on, from the production overlay).
#include <gtest/gtest.h>

#include "dockerapi/exec.hpp"
#include "e2e_support.hpp"
#include "plugin/databases/redis_snapshot.hpp"

TEST(RedisSnapshotLive, BgsaveThenStreamsTheFreshRdb) {
  REQUIRE_ENGINE(engine);
  std::string redis = e2e::stack("REDIS_CONTAINER");
  std::string key = e2e::uniqueName("snapshot-key");
  auto set = dockerapi::execCapture(engine, redis, {{"redis-cli", "SET", key, "value-123"}, {}, {}, {}});
  ASSERT_EQ(set.out, "OK\n");
  agentchat::RedisClient client(engine, redis, "redis", std::nullopt);
  std::string rdb;
  auto result =
      agentchat::snapshotRedis(engine, client, redis, [&rdb](std::string_view c) { rdb.append(c); });
  EXPECT_EQ(result.rdbPath, "/data/dump.rdb");
  EXPECT_TRUE(result.aofEnabled);
  EXPECT_EQ(result.aofDirectory, "/data/appendonlydir");
  EXPECT_EQ(result.rdbBytes, rdb.size());
  ASSERT_GT(rdb.size(), 9u);
  EXPECT_EQ(rdb.substr(0, 5), "REDIS");  // RDB magic
  EXPECT_NE(rdb.find(key), std::string::npos) << "the key written just before BGSAVE is in the snapshot";
  EXPECT_GE(result.keys["db0"], 1u);
  EXPECT_FALSE(result.redisVersion.empty());
}

TEST(RedisSnapshotLive, KeyspaceParsing) {
  EXPECT_EQ(agentchat::keyCount("keys=42,expires=3,avg_ttl=100"), 42u);
  EXPECT_EQ(agentchat::keyCount("nothing"), 0u);
}
