#pragma once
// Carries out a backup plan: takes the project lock, stages the parts in the repository, holds the
// stack (pause or stop) only as long as consistency needs, and commits the manifest last.
#include <string>

#include "base/error.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "plugin/backup/backup_settings.hpp"
#include "volumes/age_keys.hpp"
#include "volumes/manifest.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

// Runs the plan; returns the committed manifest. A failure before the commit leaves nothing complete
// behind and the stack as it was. One case fails after it: a stop-mode copy that is complete while
// a container would not start again is kept (the data are good) and BackupFailed says so, since the
// stack is not as it was found. Throws BackupFailed, volumes::RepositoryError, dockerapi::EngineError.
volumes::Manifest runBackup(dockerapi::Engine& engine, const compose::Stack& stack,
                            volumes::Repository& repository, const BackupPlan& plan,
                            const BackupSettings& settings);

// The entries of the config part: compose files, .env, bind-mounted paths and file secrets, named
// "project/<path below the project directory>" or "host/<absolute path>". Sockets, devices and the
// repository itself are left out.
struct ConfigEntry {
  std::string source, name;
};
std::vector<ConfigEntry> configEntries(const compose::Stack& stack, const std::string& repositoryRoot);

}  // namespace agentchat
