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
  // The knowledge files (x-agentchat objects referenced_by): rows naming objects the bucket lacked
  // when the newest backup listed it. The backup kept what there was; the rows are broken.
  if (facts.newest && facts.newest->details.contains("objects")) {
    for (const auto& [part, detail] : facts.newest->details["objects"].items()) {
      if (!detail.is_object() || !detail.contains("references")) continue;
      const json& r = detail["references"];
      std::string name = "objects " + detail.value("name", part);
      if (r.contains("error")) {
        checks.push_back({name, Severity::Warning, "references not checked: " + r.value("error", "")});
      } else if (r.value("missing", 0) > 0) {
        std::string first;
        if (r.contains("firstMissing") && !r["firstMissing"].empty())
          first = " (first: row " + r["firstMissing"][0].value("id", "?") + ", " +
                  r["firstMissing"][0].value("key", "?") + ")";
        checks.push_back(
            {name, Severity::Warning,
             std::to_string(r.value("missing", 0)) + " of " + std::to_string(r.value("rows", 0)) +
                 " rows name objects the bucket did not have at backup " + facts.newest->id + first});
      } else {
        checks.push_back({name, Severity::Ok,
                          std::to_string(r.value("rows", 0)) + " rows, each object there at backup " +
                              facts.newest->id + "; " + std::to_string(r.value("unreferenced", 0)) +
                              " objects no row names"});
      }
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
