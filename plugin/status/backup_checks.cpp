#include "plugin/status/backup_checks.hpp"

namespace agentchat {

using nlohmann::json;

std::vector<Check> backupChecks(const BackupFacts& facts) {
  std::vector<Check> checks;
  if (facts.newest && facts.newest->details.contains("sanity")) {
    const json sanity = facts.newest->details["sanity"];
    const json warnings = sanity.value("warnings", json::array());
    if (warnings.empty()) {
      checks.push_back({"backup sanity", Severity::Ok,
                        "backup " + facts.newest->id + " looks like the " +
                            std::to_string(sanity.value("compared", 0)) + " before it"});
    } else {
      std::string detail = "backup " + facts.newest->id + ": " + warnings[0].get<std::string>();
      if (warnings.size() > 1)
        detail += " (and " + std::to_string(warnings.size() - 1) + " more: docker agentchat list --json)";
      checks.push_back({"backup sanity", Severity::Warning, detail});
    }
  }
  if (facts.lastAttempt) {
    const json& last = *facts.lastAttempt;
    int code = last.value("exitCode", -1);
    std::string when = last.value("time", "?");
    if (code == 0) {
      checks.push_back(
          {"last backup", Severity::Ok, "ok at " + when + ", backup " + last.value("backupId", "?")});
    } else {
      // A failed attempt with an older good backup is a warning; with none at all, nothing protects the data.
      checks.push_back({"last backup", facts.newest ? Severity::Warning : Severity::Critical,
                        "failed at " + when + " (exit " + std::to_string(code) +
                            "): " + last.value("error", "") +
                            (facts.newest ? "; the newest complete backup is " + facts.newest->id : "")});
    }
  }
  return checks;
}

}  // namespace agentchat
