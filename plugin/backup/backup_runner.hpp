#pragma once
// Carries out a backup plan: takes the project lock, stages the parts in the repository, holds the
// stack (pause or stop) only as long as consistency needs, and commits the manifest last.
#include <string>

#include "base/error.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "volumes/age_keys.hpp"
#include "volumes/manifest.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

// Something the backup needs is not there or not usable; the message says what to do.
class BackupFailed : public base::Error {
 public:
  using base::Error::Error;
};

struct BackupSettings {
  int compressionLevel = 3;
  int threadsPerPart = 2;  // zstd workers per part
  std::string label;
  bool terminal = false;  // draw progress
  std::string toolVersion;
  std::string fault;  // AGENTCHAT_TEST_FAULT (test_hooks.hpp); empty in real use
  // Every part is encrypted to these (age v1) when there are any; the manifest records `encryption`.
  std::vector<volumes::AgeRecipient> recipients;
  volumes::Encryption encryption;
};

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
