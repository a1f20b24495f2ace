// The pure parts of `maintain`: the ANALYZE/OPTIMIZE script and the server's verdicts, find's
// records of old log files, and the Redis TTL scan's replies.
#include <gtest/gtest.h>

#include "plugin/maintain/maintain_keys.hpp"
#include "plugin/maintain/maintain_logs.hpp"
#include "plugin/maintain/maintain_tables.hpp"

using namespace agentchat;

namespace {
MysqlClient::Row row(std::vector<std::string> fields) {
  MysqlClient::Row r;
  for (auto& f : fields) r.push_back(f);
  return r;
}
}  // namespace

TEST(MaintainTables, IdentifiersAreBacktickQuotedWithBackticksDoubled) {
  EXPECT_EQ(quoteIdentifier("user"), "`user`");
  EXPECT_EQ(quoteIdentifier("we`ird; DROP TABLE x"), "`we``ird; DROP TABLE x`");
  std::string sql = maintenanceScript("ANALYZE", {{"agent chat", "a`b"}});
  EXPECT_EQ(sql,
            "SELECT 'T', UNIX_TIMESTAMP(SYSDATE(6));\nANALYZE TABLE `agent chat`.`a``b`;\n"
            "SELECT 'T', UNIX_TIMESTAMP(SYSDATE(6));\n");
}

TEST(MaintainTables, VerdictsAndServerTimesPerTable) {
  std::vector<TableName> tables{{"agentchat", "user"}, {"agentchat", "audit_log"}, {"agentchat", "gone"}};
  std::vector<MysqlClient::Row> rows{
      row({"T", "100.000000"}),
      row({"agentchat.user", "optimize", "note",
           "Table does not support optimize, doing recreate + analyze instead"}),
      row({"agentchat.user", "optimize", "status", "OK"}),
      row({"T", "100.250000"}),
      row({"agentchat.audit_log", "optimize", "status", "Table is already up to date"}),
      row({"T", "100.260000"}),
      row({"agentchat.gone", "optimize", "Error", "Table 'agentchat.gone' doesn't exist"}),
      row({"agentchat.gone", "optimize", "status", "Operation failed"}),
      row({"T", "100.270000"}),
  };
  auto results = parseMaintenance(rows, tables);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok);  // InnoDB's recreate + analyze is its OPTIMIZE
  EXPECT_EQ(results[0].status, "OK");
  EXPECT_NEAR(results[0].seconds, 0.25, 1e-6);
  ASSERT_EQ(results[0].notes.size(), 1u);
  EXPECT_TRUE(results[1].ok);
  EXPECT_FALSE(results[2].ok);
  EXPECT_EQ(results[2].status, "Table 'agentchat.gone' doesn't exist");
  // A script cut short: the tables it never reached are failures, not silently missing.
  auto cut = parseMaintenance({rows.begin(), rows.begin() + 4}, tables);
  ASSERT_EQ(cut.size(), 3u);
  EXPECT_TRUE(cut[0].ok);
  EXPECT_FALSE(cut[1].ok);
  EXPECT_EQ(cut[2].status, "no answer from the server");
}

TEST(MaintainLogs, FindRecordsBackToFiles) {
  std::string out = std::string("D\t1234\t1577836800.0000000000\t/app/logs/old.log") + '\0' +
                    "F\t5\t1577836801.5\t/app/logs/with\ttab and\nnewline.log" + '\0' +
                    "L\t0\t12.0\t/app/logs/x" + '\0' + "garbage" + '\0';
  auto files = parseFindRecords(out);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "/app/logs/old.log");
  EXPECT_EQ(files[0].bytes, 1234u);
  EXPECT_EQ(files[0].mtime, 1577836800);
  EXPECT_TRUE(files[0].deleted);
  EXPECT_EQ(files[1].path, "/app/logs/with\ttab and\nnewline.log");
  EXPECT_TRUE(files[1].failed);
  EXPECT_FALSE(files[2].deleted || files[2].failed);
}

TEST(MaintainKeys, KeyspaceAndPageReplies) {
  auto dbs = keyspaceDatabases({{"db0", "keys=5,expires=2,avg_ttl=0"},
                                {"db12", "keys=1,expires=0,avg_ttl=0"},
                                {"dbx", "keys=1"},
                                {"redis_version", "7.0.15"}});
  EXPECT_EQ(dbs, (std::map<int, std::uint64_t>{{0, 5}, {12, 1}}));
  auto page = parseTtlPage("17\n1000\n3\n0\nsession:1\nwe\\x0aird");
  EXPECT_EQ(page.cursor, "17");
  EXPECT_EQ(page.keys, 1000u);
  EXPECT_EQ(page.withoutTtl, 3u);
  EXPECT_EQ(page.expired, 0u);
  EXPECT_EQ(page.samples, (std::vector<std::string>{"session:1", "we\\x0aird"}));
  EXPECT_THROW(parseTtlPage("ERR unknown command"), RedisError);
}
