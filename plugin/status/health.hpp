#pragma once
// The monitoring thresholds of README `status`, as pure functions, and the monitoring-plugin severities.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentchat {

enum class Severity { Ok = 0, Warning = 1, Critical = 2, Unknown = 3 };

const char* severityName(Severity severity);
Severity worst(Severity a, Severity b);

struct Check {
  std::string name;  // "mysql connections"
  Severity severity = Severity::Ok;
  std::string detail;
};

Severity worstOf(const std::vector<Check>& checks);

// used/limit above warn (0.80) / critical (0.90): DB connections and Redis memory.
Severity usageSeverity(double used, double limit, double warn = 0.80, double critical = 0.90);
// Disk: warn above 85 % used, critical above 95 %.
Severity diskSeverity(std::uint64_t total, std::uint64_t available);
// Redis hit rate hits/(hits+misses): warn below 85 %, critical below 70 %; no lookups yet is OK.
Severity hitRateSeverity(std::uint64_t hits, std::uint64_t misses);
// Newest backup older than 26 h, or fewer than 7 backups: warning. No backups at all: warning.
Severity backupSeverity(std::optional<double> newestAgeHours, std::size_t count);
// A container's state and health.
Severity containerSeverity(const std::string& state, const std::optional<std::string>& health);

}  // namespace agentchat
