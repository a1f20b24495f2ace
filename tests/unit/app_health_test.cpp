// Health checks as the engine reports them, and when a report is too old to trust.
#include <gtest/gtest.h>

#include "dockerapi/health_state.hpp"
#include "plugin/restore/app_health.hpp"

using nlohmann::json;

namespace {

dockerapi::ContainerInfo containerWith(const json& state, const json& config) {
  dockerapi::ContainerInfo info;
  info.running = true;
  info.startedAt = state.value("StartedAt", "");
  info.healthState = dockerapi::parseHealthState(state);
  info.healthcheck = dockerapi::parseHealthcheck(config);
  return info;
}

}  // namespace

TEST(HealthState, Rfc3339AsGoWritesIt) {
  auto base = dockerapi::rfc3339Nanos("2026-12-02T05:49:51Z");
  ASSERT_TRUE(base);
  EXPECT_EQ(*base, 1796190591LL * 1000000000LL);
  EXPECT_EQ(*dockerapi::rfc3339Nanos("2026-12-02T05:49:51.5Z"), *base + 500000000);
  EXPECT_EQ(*dockerapi::rfc3339Nanos("2026-12-02T05:49:51.123456789Z"), *base + 123456789);
  // Health log times carry the daemon's local offset; container times are UTC.
  EXPECT_EQ(*dockerapi::rfc3339Nanos("2026-12-02T06:49:51.000000001+01:00"), *base + 1);
  EXPECT_EQ(*dockerapi::rfc3339Nanos("2026-12-01T23:49:51-06:00"), *base);
  EXPECT_FALSE(dockerapi::rfc3339Nanos("0001-01-01T00:00:00Z"));  // never started
  EXPECT_FALSE(dockerapi::rfc3339Nanos(""));
  EXPECT_FALSE(dockerapi::rfc3339Nanos("2026-12-02 05:49:51Z"));
  EXPECT_FALSE(dockerapi::rfc3339Nanos("2026-12-02T05:49:51."));
  EXPECT_FALSE(dockerapi::rfc3339Nanos("2026-12-02T05:49:51+0100"));
}

TEST(HealthState, HealthcheckConfigWithDockersDefaults) {
  auto check = dockerapi::parseHealthcheck(json::parse(R"({"Healthcheck": {
      "Test": ["CMD-SHELL", "curl -f http://localhost:8000/health"],
      "Interval": 60000000000, "Timeout": 10000000000, "StartPeriod": 40000000000, "Retries": 3}})"));
  ASSERT_TRUE(check);
  EXPECT_EQ(check->intervalSeconds, 60);
  EXPECT_EQ(check->timeoutSeconds, 10);
  EXPECT_EQ(check->startPeriodSeconds, 40);
  EXPECT_EQ(check->retries, 3);
  auto defaults = dockerapi::parseHealthcheck(json::parse(R"({"Healthcheck": {"Test": ["CMD", "true"]}})"));
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->intervalSeconds, 30);
  EXPECT_EQ(defaults->timeoutSeconds, 30);
  EXPECT_EQ(defaults->retries, 3);
  EXPECT_FALSE(dockerapi::parseHealthcheck(json::parse(R"({"Healthcheck": {"Test": ["NONE"]}})")));
  EXPECT_FALSE(dockerapi::parseHealthcheck(json::parse(R"({"Image": "x"})")));
}

// Engine 20.10 after a restart: the previous run's verdict, FailingStreak 0 and an empty log.
TEST(AppHealth, AVerdictFromBeforeTheStartIsNotTrusted) {
  json config = json::parse(R"({"Healthcheck": {"Test": ["CMD", "true"]}})");
  auto restarted = containerWith(json::parse(R"({"Status": "running", "StartedAt": "2026-12-02T05:00:10.5Z",
      "Health": {"Status": "unhealthy", "FailingStreak": 0, "Log": null}})"),
                                 config);
  EXPECT_EQ(dockerapi::currentHealth(restarted), "starting");
  // The last probe ran before this start: healthy from the previous run is no news either.
  auto stale = containerWith(json::parse(R"({"Status": "running", "StartedAt": "2026-12-02T05:00:10.5Z",
      "Health": {"Status": "healthy", "FailingStreak": 0, "Log": [
        {"Start": "2026-12-02T05:00:09.9Z", "End": "2026-12-02T05:00:10Z", "ExitCode": 0, "Output": "ok"}]}})"),
                             config);
  EXPECT_EQ(dockerapi::currentHealth(stale), "starting");
  // A probe after the start (written with the daemon's local offset) counts.
  auto fresh = containerWith(json::parse(R"({"Status": "running", "StartedAt": "2026-12-02T05:00:10.5Z",
      "Health": {"Status": "unhealthy", "FailingStreak": 3, "Log": [
        {"Start": "2026-12-02T06:00:12+01:00", "ExitCode": 1, "Output": "curl: (7) refused\n"}]}})"),
                             config);
  EXPECT_EQ(dockerapi::currentHealth(fresh), "unhealthy");
  ASSERT_EQ(fresh.healthState->log.size(), 1u);
  EXPECT_EQ(fresh.healthState->log[0].exitCode, 1);
  // No health check at all.
  auto none = containerWith(json::parse(R"({"Status": "running", "StartedAt": "2026-12-02T05:00:10.5Z"})"),
                            json::object());
  EXPECT_EQ(dockerapi::currentHealth(none), "");
}

// Docker's first probe runs one interval after the start; failures in the start period do not count.
TEST(AppHealth, VerdictTimeCoversWhatDockerMayTake) {
  dockerapi::Healthcheck upstreamProd;  // AgentChat's prod overlay: 60 s, start_period 40 s
  upstreamProd.intervalSeconds = 60;
  upstreamProd.timeoutSeconds = 10;
  upstreamProd.startPeriodSeconds = 40;
  upstreamProd.retries = 3;
  EXPECT_EQ(agentchat::verdictTime(upstreamProd), std::chrono::seconds(60 + 120 + 10 + 2));
  dockerapi::Healthcheck longStart = upstreamProd;
  longStart.startPeriodSeconds = 300;
  EXPECT_EQ(agentchat::verdictTime(longStart), std::chrono::seconds(300 + 120 + 10 + 2));
}

TEST(AppHealth, OnlyAnAppThatWasNotUnhealthyBeforeFailsTheRestore) {
  agentchat::AppHealth app;
  app.before = "healthy";
  app.now = "unhealthy";
  EXPECT_TRUE(app.newlyUnhealthy());
  app.now = "starting";  // no verdict within the wait
  EXPECT_TRUE(app.newlyUnhealthy());
  app.now = "exited";
  EXPECT_TRUE(app.newlyUnhealthy());
  app.before = "unhealthy";
  EXPECT_FALSE(app.newlyUnhealthy());
  app.before = "running";
  app.now = "running";
  EXPECT_FALSE(app.newlyUnhealthy());
  EXPECT_TRUE(app.fine());
}
