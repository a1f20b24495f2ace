#pragma once
// Backup metrics in the Prometheus text format, for node_exporter's textfile collector (x-agentchat
// metrics_file, written after every backup) and `status --format prometheus` (the same, live).
// Facts come from the newest complete backup's manifest and the last attempt's record
// (backup_outcome.hpp), so a failed run shows as a failed run and the last success stays visible.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "volumes/manifest.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

struct BackupFacts {
  std::string project;
  std::optional<volumes::Manifest> newest;  // the newest complete backup, safety snapshots aside
  std::size_t backups = 0;                  // complete backups in the repository
  std::optional<nlohmann::json> lastAttempt;
};

BackupFacts readBackupFacts(const volumes::Repository& repository, const std::string& project);

// The project's samples, every family with its HELP and TYPE lines.
std::string prometheusText(const BackupFacts& facts);

// Replaces `facts.project`'s samples in the file at `path` (other projects' stay: several stacks may
// share one file) and renames the result into place. Throws RepositoryError.
void writeMetricsFile(const std::filesystem::path& path, const BackupFacts& facts);

}  // namespace agentchat
