#pragma once
// The file parts of a backup: named volumes, log directories (incremental), and the project's
// configuration from this host. All stream a tar through zstd into the repository.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dockerapi/whole_archive.hpp"
#include "plugin/backup/backup_run.hpp"
#include "volumes/excludes.hpp"

namespace agentchat {

// Images a helper container may use: the stack's own, so nothing needs pulling.
std::vector<std::string> helperImages(const compose::Stack& stack);

// The volume mounted in `helper` (HelperContainer::kVolumeMount) as the engine's archive streams it,
// without what `excludes` leaves out; tells how many entries it left out.
dockerapi::ArchiveCounts readVolumeArchive(dockerapi::Engine& engine, const std::string& helper,
                                           const volumes::Excludes& excludes, const base::ChunkSink& sink);
// By the lister where it can run (volume_listing.hpp), else the whole archive.
void copyVolumePart(PartWriter& run, const PlannedPart& planned, const std::string& helperImage,
                    const volumes::Repository& repository);
// `since`: take only files changed at or after it (the previous backup's logs), else all.
void copyLogsPart(PartWriter& run, const PlannedPart& planned, std::optional<std::int64_t> since);
// When the newest complete backup holding `part` took it (for incremental logs).
std::optional<std::int64_t> lastTaken(const volumes::Repository& repository, const std::string& project,
                                      const std::string& part);
void writeConfigPart(PartWriter& run, const PlannedPart& planned,
                     const std::filesystem::path& repositoryRoot);
// {repositoryRoot}, or nothing for a repository that is not a local directory ("").
std::vector<std::filesystem::path> keptPaths(const std::filesystem::path& repositoryRoot);

}  // namespace agentchat
