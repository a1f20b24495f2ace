#include "dockerapi/query.hpp"

#include <gtest/gtest.h>

using namespace dockerapi;

TEST(Query, PercentEncodesAllButUnreserved) {
  EXPECT_EQ(percentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percentEncode("/var/lib/mysql"), "%2Fvar%2Flib%2Fmysql");
  EXPECT_EQ(percentEncode("a b&c=d?"), "a%20b%26c%3Dd%3F");
  EXPECT_EQ(percentEncode("数据"), "%E6%95%B0%E6%8D%AE");
}

TEST(Query, BuildsQueryStrings) {
  EXPECT_EQ(encodeQuery({}), "");
  EXPECT_EQ(encodeQuery({{"all", "1"}, {"path", "/data/dump.rdb"}}), "?all=1&path=%2Fdata%2Fdump.rdb");
}

TEST(Query, EncodesFiltersAsEngineJson) {
  Filters filters{{"label", {"com.docker.compose.project=agentchat", "com.docker.compose.service=mysql"}}};
  EXPECT_EQ(encodeFilters(filters),
            R"({"label":["com.docker.compose.project=agentchat","com.docker.compose.service=mysql"]})");
  EXPECT_EQ(encodeQuery({{"filters", encodeFilters({{"name", {"x"}}})}}),
            "?filters=%7B%22name%22%3A%5B%22x%22%5D%7D");
}
