#include "plugin/status/health.hpp"
#include "base/human_units.hpp"

#include <gtest/gtest.h>

using namespace agentchat;

TEST(HealthThresholds, ConnectionsAndMemoryWarnAbove80CriticalAbove90) {
  EXPECT_EQ(usageSeverity(80, 100), Severity::Ok);
  EXPECT_EQ(usageSeverity(81, 100), Severity::Warning);
  EXPECT_EQ(usageSeverity(90, 100), Severity::Warning);
  EXPECT_EQ(usageSeverity(91, 100), Severity::Critical);
  EXPECT_EQ(usageSeverity(5, 0), Severity::Ok);  // no limit configured
}

TEST(HealthThresholds, DiskWarnAbove85CriticalAbove95) {
  EXPECT_EQ(diskSeverity(100, 20), Severity::Ok);
  EXPECT_EQ(diskSeverity(100, 14), Severity::Warning);
  EXPECT_EQ(diskSeverity(100, 4), Severity::Critical);
  EXPECT_EQ(diskSeverity(0, 0), Severity::Unknown);
}

TEST(HealthThresholds, HitRateWarnBelow85CriticalBelow70) {
  EXPECT_EQ(hitRateSeverity(0, 0), Severity::Ok);
  EXPECT_EQ(hitRateSeverity(85, 15), Severity::Ok);
  EXPECT_EQ(hitRateSeverity(84, 16), Severity::Warning);
  EXPECT_EQ(hitRateSeverity(70, 30), Severity::Warning);
  EXPECT_EQ(hitRateSeverity(69, 31), Severity::Critical);
}

TEST(HealthThresholds, BackupsOlderThan26HoursOrFewerThan7Warn) {
  EXPECT_EQ(backupSeverity(3.0, 7), Severity::Ok);
  EXPECT_EQ(backupSeverity(27.0, 30), Severity::Warning);
  EXPECT_EQ(backupSeverity(1.0, 6), Severity::Warning);
  EXPECT_EQ(backupSeverity(std::nullopt, 0), Severity::Warning);
}

TEST(HealthThresholds, ContainerStates) {
  EXPECT_EQ(containerSeverity("running", std::nullopt), Severity::Ok);
  EXPECT_EQ(containerSeverity("running", std::string("healthy")), Severity::Ok);
  EXPECT_EQ(containerSeverity("running", std::string("starting")), Severity::Warning);
  EXPECT_EQ(containerSeverity("running", std::string("unhealthy")), Severity::Critical);
  EXPECT_EQ(containerSeverity("paused", std::nullopt), Severity::Warning);
  EXPECT_EQ(containerSeverity("exited", std::nullopt), Severity::Critical);
  EXPECT_EQ(containerSeverity("created", std::nullopt), Severity::Critical);
}

TEST(HealthThresholds, WorstWinsAndUnknownIsWorst) {
  EXPECT_EQ(worstOf({{"a", Severity::Ok, ""}, {"b", Severity::Warning, ""}}), Severity::Warning);
  EXPECT_EQ(worstOf({{"a", Severity::Critical, ""}, {"b", Severity::Unknown, ""}}), Severity::Unknown);
  EXPECT_EQ(worstOf({}), Severity::Ok);
  EXPECT_EQ(base::humanBytes(1536), "1.5 KiB");
  EXPECT_EQ(base::percent(0.5), "50.0%");
}
