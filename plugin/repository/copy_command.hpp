#pragma once
// `copy [ID|latest] --to REPO [--from REPO]`: the local + off-site pattern, one backup at a time.
#include <string>

#include "plugin/cli/command.hpp"
#include "volumes/backup_copy.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

RegisteredCommand addCopyCommand(CLI::App& app);

// --dedup, --no-dedup, or neither (see storeByDefault).
enum class Dedup { Default, On, Off };

// Copies backup `id` of `project` from `from` to the repository at `toLocation` (under its lock),
// and says so on stderr. Throws RepositoryError.
volumes::CopyResult copyToRepository(const Session& session, const volumes::Repository& from,
                                     const std::string& project, const std::string& id,
                                     const std::string& toLocation, Dedup dedup = Dedup::Default,
                                     const volumes::PartKeys& keys = {});

}  // namespace agentchat
