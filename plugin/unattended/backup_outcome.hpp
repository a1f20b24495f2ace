#pragma once
// The last backup attempt of a project on this host, manual or scheduled, ok or not: backup-last.json
// (0600) in the project's state directory beside schedule-last.json. The metrics' last exit code and
// duration come from it; a failed attempt leaves no manifest to read them from.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "volumes/repository.hpp"

namespace agentchat {

std::filesystem::path lastBackupPath(const volumes::Repository& repository, const std::string& project);

// {"time", "unixTime", "exitCode", "seconds", "backupId"?}. Throws RepositoryError.
void recordBackupOutcome(const volumes::Repository& repository, const std::string& project,
                         const nlohmann::json& outcome);
std::optional<nlohmann::json> readBackupOutcome(const std::filesystem::path& path);

}  // namespace agentchat
