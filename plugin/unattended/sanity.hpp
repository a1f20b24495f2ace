#pragma once
// Does this backup look like the previous ones? A backup that is suddenly much smaller (a table
// emptied by mistake, a volume mounted empty) or much larger than usual is complete as far as the
// tool can tell, and still the one nobody wants to find at restore time. The findings are warnings:
// in the run's log, in the manifest (details.sanity), in `status`, and a failure ping; prune keeps
// the newest backup that had none.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compose/settings.hpp"
#include "volumes/manifest.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

struct SanityResult {
  std::vector<std::string> warnings;
  std::size_t compared = 0;  // previous backups it was compared with
  bool passed() const { return warnings.empty(); }
  nlohmann::json toJson() const;
};

// `previous`: earlier backups of the project, newest first (safety snapshots left out). Parts too
// small to judge (median under 64 KiB) and incremental logs are not compared by size; MySQL tables
// and Redis databases are compared by rows and keys when they held at least 1000 before.
SanityResult checkSanity(const volumes::Manifest& current, const std::vector<volumes::Manifest>& previous,
                         const compose::Sanity& limits);

// Up to `count` complete backups of the project, newest first, without safety snapshots; unreadable
// manifests are skipped.
std::vector<volumes::Manifest> recentBackups(const volumes::Repository& repository,
                                             const std::string& project, std::size_t count = 10);

// The warnings a manifest records (details.sanity); none for a backup taken before the checks.
std::vector<std::string> sanityWarnings(const volumes::Manifest& manifest);

// " is complete, but it does not look like the ones before:" and the warnings, a line each: the
// end of a failure ping's first line, after "backup ID of PROJECT".
std::string notLikeTheOnesBefore(const std::vector<std::string>& warnings);

// Whether a manifest's recorded sanity check passed (backups taken before there was a check count as
// passed; a restore's safety snapshot, never checked, does not).
bool passedSanity(const volumes::Manifest& manifest);

}  // namespace agentchat
