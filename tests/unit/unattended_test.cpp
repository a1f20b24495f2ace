// Running unattended, the pure parts: masking secrets, the ping URLs and bodies (against a local
// listener), the Prometheus text and its merge, and the sanity checks' verdicts.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "plugin/status/backup_checks.hpp"
#include "plugin/unattended/metrics.hpp"
#include "plugin/unattended/pinger.hpp"
#include "plugin/unattended/sanity.hpp"
#include "tests/support/ping_listener.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using nlohmann::json;

TEST(SecretMask, ReplacesEveryKnownValueLongestFirstAndIgnoresShortOnes) {
  base::SecretMask mask;
  mask.add("s3cr3t-pass\n");  // a secret file's line end is not part of it
  mask.add("s3cr3t-pass-longer");
  mask.add("abc");  // too short to mask without hiding everything else
  EXPECT_EQ(mask.apply("a=s3cr3t-pass-longer b=s3cr3t-pass c=abc"), "a=*** b=*** c=abc");
  EXPECT_EQ(mask.apply("s3cr3t-passs3cr3t-pass"), "******");
}

TEST(Pinger, UrlsFollowTheHealthchecksConventionBeforeAnyQuery) {
  EXPECT_EQ(agentchat::pingUrl("https://hc-ping.com/abc", "start"), "https://hc-ping.com/abc/start");
  EXPECT_EQ(agentchat::pingUrl("https://hc-ping.com/abc/", "fail"), "https://hc-ping.com/abc/fail");
  EXPECT_EQ(agentchat::pingUrl("https://hc-ping.com/abc?rid=1", "fail"),
            "https://hc-ping.com/abc/fail?rid=1");
  EXPECT_EQ(agentchat::pingUrl("https://hc-ping.com/abc", ""), "https://hc-ping.com/abc");
}

TEST(Pinger, FailureBodyKeepsTheNewestLinesAndMasksSecrets) {
  base::SecretMask mask;
  mask.add("hunter2-secret");
  std::vector<std::string> lines;
  for (int i = 0; i < 100; ++i) lines.push_back("line " + std::to_string(i) + " pw=hunter2-secret");
  std::string body = agentchat::failureBody("backup failed: hunter2-secret", lines, mask, 300);
  EXPECT_EQ(body.find("hunter2-secret"), std::string::npos) << body;
  EXPECT_NE(body.find("backup failed: ***"), std::string::npos);
  EXPECT_NE(body.find("line 99 pw=***"), std::string::npos);
  EXPECT_EQ(body.find("line 0 "), std::string::npos);
  EXPECT_LT(body.size(), 400u);
}

TEST(Pinger, SendsStartSuccessAndFailAndRetriesAServerError) {
  testsupport::PingListener server(503);
  base::SecretMask mask;
  mask.add(server.url());
  agentchat::Pinger pinger(server.url(), mask, std::chrono::milliseconds(10));
  EXPECT_FALSE(pinger.start());  // 503 every time: four tries, then a warning, never a throw
  EXPECT_EQ(server.waitFor(4).size(), 4u);
  server.setStatus(200);
  EXPECT_TRUE(pinger.success("ok"));
  EXPECT_TRUE(pinger.failure("it broke"));
  auto got = server.waitFor(6);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].path, "/ping/5b1c9e2a-token/start");
  EXPECT_EQ(got[4].path, "/ping/5b1c9e2a-token");
  EXPECT_EQ(got[4].body, "ok");
  EXPECT_EQ(got[5].path, "/ping/5b1c9e2a-token/fail");
  EXPECT_EQ(got[5].body, "it broke");
}

TEST(Pinger, AClientErrorIsNotRetried) {
  testsupport::PingListener server(404);
  agentchat::Pinger pinger(server.url(), {}, std::chrono::milliseconds(10));
  EXPECT_FALSE(pinger.success("x"));
  EXPECT_EQ(server.waitFor(2, std::chrono::seconds(1)).size(), 1u);
}

volumes::Manifest manifest(const std::string& id, std::uint64_t mysqlRaw, std::uint64_t volumeRaw,
                           std::uint64_t rows) {
  volumes::Manifest m;
  m.id = id;
  m.project = "shop";
  m.parts = {{"mysql.sql.zst", "mysql", "mysql", "", mysqlRaw / 4, mysqlRaw, "", "", "", 0},
             {"volume-uploads.tar.zst", "volume", "backend", "shop_uploads", volumeRaw / 2, volumeRaw, "", "",
              "", 0},
             {"logs-backend.tar.zst", "logs", "backend", "/app/logs", 10, 10 << 20, "", "", "", 0}};
  m.details["mysql"]["mysql"]["tables"]["agentchat.messages"]["rows"] = rows;
  m.details["redis"]["redis"]["keys"]["db0"] = rows / 10;
  m.details["pause"]["seconds"] = 0.8;
  return m;
}

TEST(Sanity, ASteadyBackupPasses) {
  std::vector<volumes::Manifest> before = {manifest("20261201T020000Z", 10 << 20, 5 << 20, 50000),
                                           manifest("20261130T020000Z", 10 << 20, 5 << 20, 49000)};
  auto result = agentchat::checkSanity(manifest("20261202T020000Z", 11 << 20, 5 << 20, 51000), before, {});
  EXPECT_TRUE(result.passed()) << result.toJson();
  EXPECT_EQ(result.compared, 2u);
  EXPECT_TRUE(agentchat::checkSanity(manifest("x", 1, 1, 1), {}, {}).passed());  // nothing to compare with
}

TEST(Sanity, ATableEmptiedByMistakeAndAnEmptiedVolumeAreFound) {
  std::vector<volumes::Manifest> before = {manifest("20261201T020000Z", 10 << 20, 5 << 20, 50000)};
  auto result = agentchat::checkSanity(manifest("20261202T020000Z", 1 << 20, 2048, 5000), before, {});
  std::string all = result.toJson().dump();
  EXPECT_NE(all.find("part mysql.sql.zst is 1.0 MiB, 10 % of the median 10.0 MiB of the last 1 backup"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("table mysql: agentchat.messages has 5000 rows, 10 % of the 50000"), std::string::npos)
      << all;
  EXPECT_NE(all.find("volume shop_uploads is empty"), std::string::npos) << all;
  EXPECT_NE(all.find("redis redis db0 has 500 keys, 10 % of the 5000 in the previous backup"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("logs-backend"), std::string::npos) << "incremental logs vary by nature";
}

TEST(Sanity, ThresholdsComeFromTheSettingsAndGrowthIsFoundToo) {
  std::vector<volumes::Manifest> before = {manifest("b", 10 << 20, 5 << 20, 50000)};
  compose::Sanity strict{0.95, 1.05};
  auto grown = agentchat::checkSanity(manifest("c", 12 << 20, 5 << 20, 50000), before, strict);
  EXPECT_FALSE(grown.passed());
  EXPECT_NE(grown.toJson().dump().find("120 %"), std::string::npos) << grown.toJson();
  EXPECT_TRUE(agentchat::checkSanity(manifest("c", 12 << 20, 5 << 20, 50000), before, {}).passed());
}

TEST(Metrics, PrometheusTextHasEveryFamilyOnceAndMergesOtherProjects) {
  agentchat::BackupFacts facts;
  facts.project = "shop";
  facts.newest = manifest("20261202T020000Z", 4000, 2000, 10);
  facts.newest->details["sanity"]["warnings"] = json::array({"x"});
  facts.backups = 3;
  facts.lastAttempt = json{{"unixTime", 1796176800}, {"exitCode", 1}, {"seconds", 12.5}};
  std::string text = agentchat::prometheusText(facts);
  EXPECT_NE(text.find("agentchat_backup_last_success_timestamp_seconds{project=\"shop\"} 1796176800\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("agentchat_backup_last_exit_code{project=\"shop\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("agentchat_backup_stored_bytes{project=\"shop\",kind=\"mysql\"} 1000\n"),
            std::string::npos);
  EXPECT_NE(text.find("agentchat_backup_read_bytes{project=\"shop\",kind=\"volume\"} 2000\n"),
            std::string::npos);
  EXPECT_NE(text.find("agentchat_backup_pause_seconds{project=\"shop\"} 0.8\n"), std::string::npos);
  EXPECT_NE(text.find("agentchat_backup_sanity_warnings{project=\"shop\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("agentchat_backups{project=\"shop\"} 3\n"), std::string::npos);

  agentchat_test::TempDir dir;
  auto path = dir.path() / "agentchat.prom";
  agentchat::writeMetricsFile(path, facts);
  facts.project = "blog\"x";
  facts.lastAttempt = json{{"unixTime", 1796176900}, {"exitCode", 0}, {"seconds", 3}};
  agentchat::writeMetricsFile(path, facts);
  facts.lastAttempt = json{{"unixTime", 1796177000}, {"exitCode", 0}, {"seconds", 3}};
  agentchat::writeMetricsFile(path, facts);  // replaces its own samples, keeps the other project's
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::string merged = all.str();
  EXPECT_NE(merged.find("agentchat_backup_last_exit_code{project=\"shop\"} 1\n"
                        "agentchat_backup_last_exit_code{project=\"blog\\\"x\"} 0\n"),
            std::string::npos)
      << merged;
  EXPECT_EQ(merged.find("1796176900"), std::string::npos) << merged;
  std::size_t types = 0;
  for (auto at = merged.find("# TYPE agentchat_backups "); at != std::string::npos;
       at = merged.find("# TYPE agentchat_backups ", at + 1))
    ++types;
  EXPECT_EQ(types, 1u);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms(0644));
}

}  // namespace

namespace {

TEST(BackupChecks, SanityAndTheLastAttemptAsStatusSeesThem) {
  agentchat::BackupFacts facts;
  facts.project = "shop";
  EXPECT_TRUE(agentchat::backupChecks(facts).empty()) << "nothing recorded yet: no check";
  // A failed attempt with no complete backup at all: nothing protects the data.
  facts.lastAttempt = json{{"time", "2026-12-02T02:00:00Z"}, {"exitCode", 3}, {"error", "engine down"}};
  auto checks = agentchat::backupChecks(facts);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].name, "last backup");
  EXPECT_EQ(checks[0].severity, agentchat::Severity::Critical);
  EXPECT_EQ(checks[0].detail, "failed at 2026-12-02T02:00:00Z (exit 3): engine down");
  // With an older complete backup that did not pass the sanity checks: two warnings.
  facts.newest = manifest("20261201T020000Z", 1, 1, 1);
  facts.newest->details["sanity"] = {{"warnings", {"part mysql.sql.zst is 1 B", "table x has 1 rows"}},
                                     {"compared", 3}};
  checks = agentchat::backupChecks(facts);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].name, "backup sanity");
  EXPECT_EQ(checks[0].severity, agentchat::Severity::Warning);
  EXPECT_EQ(checks[0].detail,
            "backup 20261201T020000Z: part mysql.sql.zst is 1 B (and 1 more: docker agentchat list --json)");
  EXPECT_EQ(checks[1].severity, agentchat::Severity::Warning);
  EXPECT_NE(checks[1].detail.find("the newest complete backup is 20261201T020000Z"), std::string::npos);
  facts.newest->details["sanity"]["warnings"] = json::array();
  facts.lastAttempt = json{{"time", "t"}, {"exitCode", 0}, {"backupId", "20261201T020000Z"}};
  checks = agentchat::backupChecks(facts);
  EXPECT_EQ(checks[0].severity, agentchat::Severity::Ok);
  EXPECT_EQ(checks[0].detail, "backup 20261201T020000Z looks like the 3 before it");
  EXPECT_EQ(checks[1].detail, "ok at t, backup 20261201T020000Z");
}

}  // namespace
