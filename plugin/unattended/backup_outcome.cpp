#include "plugin/unattended/backup_outcome.hpp"

#include "plugin/schedule/schedule_record.hpp"

namespace agentchat {

std::filesystem::path lastBackupPath(const volumes::Repository& repository, const std::string& project) {
  return lastRunPath(repository, project).parent_path() / "backup-last.json";
}

void recordBackupOutcome(const volumes::Repository& repository, const std::string& project,
                         const nlohmann::json& outcome) {
  recordLastRun(lastBackupPath(repository, project), outcome);
}

std::optional<nlohmann::json> readBackupOutcome(const std::filesystem::path& path) {
  return readLastRun(path);
}

}  // namespace agentchat
