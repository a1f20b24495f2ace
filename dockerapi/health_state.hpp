#pragma once
// A container's health check as the engine reports it: the configured probe (Config.Healthcheck)
// and its state (State.Health). Pure parsing, so the freshness rules are testable without a daemon.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dockerapi {

// Docker's defaults apply to a zero field: interval and timeout 30 s, 3 retries, no start period.
struct Healthcheck {
  double intervalSeconds = 30;
  double timeoutSeconds = 30;
  double startPeriodSeconds = 0;
  int retries = 3;
};

struct HealthProbe {
  std::optional<std::int64_t> startNanos;  // since the epoch; none when the engine's text did not parse
  int exitCode = 0;
  std::string output;
};

struct HealthState {
  std::string status;  // starting, healthy, unhealthy
  int failingStreak = 0;
  std::vector<HealthProbe> log;  // oldest first; the engine keeps the last five
};

// None when there is no check or it is disabled (Test ["NONE"]).
std::optional<Healthcheck> parseHealthcheck(const nlohmann::json& config);
std::optional<HealthState> parseHealthState(const nlohmann::json& state);

// RFC 3339 with any fraction and offset ("2026-12-02T05:49:51.12Z", "...+01:00"), as Go writes
// times; none for Go's zero time or anything else.
std::optional<std::int64_t> rfc3339Nanos(const std::string& text);

struct ContainerInfo;
// The health Docker reports, unless no probe has run since the container last started: Engine
// 20.10 keeps the previous run's status (and an empty log) until its first probe. Then "starting".
// Empty when the container has no health check.
std::string currentHealth(const ContainerInfo& info);

}  // namespace dockerapi
