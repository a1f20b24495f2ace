#pragma once
// Where a project's backups live: --repo, else AGENTCHAT_REPO, else x-agentchat repository,
// else ./backups beside the compose file. Backups of project P are under <repo>/<P>/<backup-id>/.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "plugin/session.hpp"

namespace agentchat {

std::filesystem::path repositoryPath(const Session& session, const compose::Stack& stack);

struct BackupEntry {
  std::string id;  // 20261124T020000Z
  double ageHours = 0;
};

// Complete backups (those with a manifest.json) of `project`, newest first; empty if none.
std::vector<BackupEntry> completeBackups(const std::filesystem::path& repository, const std::string& project);

}  // namespace agentchat
