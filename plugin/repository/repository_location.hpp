#pragma once
// Where a project's backups live: --repo, else AGENTCHAT_REPO, else x-agentchat repository,
// else ./backups beside the compose file; a directory or s3://bucket/prefix. Backups of project P
// are under <repo>/<P>/<backup-id>/.
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "compose/stack.hpp"
#include "plugin/cli/session.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

class BackupNotFound : public base::Error {
 public:
  explicit BackupNotFound(const std::string& message) : base::Error(message, base::exit_code::kNotFound) {}
};

// An absolute directory, or "s3://bucket/prefix" as given.
std::string repositoryLocation(const Session& session, const compose::Stack& stack);
bool isS3Location(const std::string& location);
// A relative directory taken from where the command runs; an s3:// location as it is.
std::string absoluteLocation(const std::string& location);
// The repository at `location` (see above); S3 settings and credentials from `environ`.
std::unique_ptr<volumes::Repository> openRepository(const std::string& location,
                                                    const dockerapi::Environ& environ);
std::unique_ptr<volumes::Repository> openRepository(const Session& session, const compose::Stack& stack);
// --dedup: the repository keeps backups as deduplicated chunks from now on (issue #17; local
// repositories only so far: std::invalid_argument for a bucket). A new store is encrypted when
// `encryption` is on: its repository key sealed to the backup's recipients or passphrase.
void startDeduplicating(volumes::Repository& repository,
                        const std::vector<volumes::AgeRecipient>& recipients = {},
                        const volumes::Encryption& encryption = {});

// Whether a backup or copy gives `repository` its deduplicated store without being asked (neither
// --dedup nor --no-dedup): a new local repository (no store, no complete backup of any project) gets
// one, unless the backup is encrypted to public keys only and `identityGiven` is false — every later
// backup would need --identity to use that store, so it keeps whole age files. Says which on the log.
bool storeByDefault(const volumes::Repository& repository, const volumes::Encryption& encryption,
                    bool identityGiven);

// "20261124T020000Z" -> seconds since the epoch (the id is the time it was taken), or nullopt.
std::optional<std::time_t> backupTime(const std::string& id);

struct BackupEntry {
  std::string id;  // 20261124T020000Z
  double ageHours = 0;
};

// Complete backups (those with a manifest.json) of `project`, newest first; empty if none.
std::vector<BackupEntry> completeBackups(const volumes::Repository& repository, const std::string& project);

// "latest" -> the newest complete backup's id; an id -> itself if that backup is complete.
// Throws BackupNotFound saying what exists when there is no such backup.
std::string resolveBackupId(const volumes::Repository& repository, const std::string& project,
                            const std::string& which);

}  // namespace agentchat
