#include "plugin/status/health.hpp"

#include <cstdio>

namespace agentchat {

const char* severityName(Severity severity) {
  switch (severity) {
    case Severity::Ok:
      return "OK";
    case Severity::Warning:
      return "WARNING";
    case Severity::Critical:
      return "CRITICAL";
    case Severity::Unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

Severity worst(Severity a, Severity b) {
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

Severity worstOf(const std::vector<Check>& checks) {
  Severity out = Severity::Ok;
  for (const auto& c : checks) out = worst(out, c.severity);
  return out;
}

Severity usageSeverity(double used, double limit, double warn, double critical) {
  if (limit <= 0) return Severity::Ok;
  double fraction = used / limit;
  if (fraction > critical) return Severity::Critical;
  if (fraction > warn) return Severity::Warning;
  return Severity::Ok;
}

Severity diskSeverity(std::uint64_t total, std::uint64_t available) {
  if (total == 0) return Severity::Unknown;
  return usageSeverity(static_cast<double>(total - available), static_cast<double>(total), 0.85, 0.95);
}

Severity hitRateSeverity(std::uint64_t hits, std::uint64_t misses) {
  if (hits + misses == 0) return Severity::Ok;
  double rate = static_cast<double>(hits) / static_cast<double>(hits + misses);
  if (rate < 0.70) return Severity::Critical;
  if (rate < 0.85) return Severity::Warning;
  return Severity::Ok;
}

Severity backupSeverity(std::optional<double> newestAgeHours, std::size_t count) {
  if (!newestAgeHours || *newestAgeHours > 26 || count < 7) return Severity::Warning;
  return Severity::Ok;
}

Severity containerSeverity(const std::string& state, const std::optional<std::string>& health) {
  if (state == "running") {
    if (health == "unhealthy") return Severity::Critical;
    if (health == "starting") return Severity::Warning;
    return Severity::Ok;
  }
  if (state == "paused" || state == "restarting") return Severity::Warning;
  return Severity::Critical;  // created (never started), exited, dead, removing
}

}  // namespace agentchat
