#pragma once
// <repository>/<project>/audit.log: one JSON line per backup, restore, verify, prune, migrate,
// export or import — who, where, what, on which backup, with which parts, and how it ended. Only
// ever appended to (O_APPEND, one write per line), 0600 like the rest of the repository.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "volumes/manifest.hpp"

namespace volumes {

// [{"name", "sha256"}] of the manifest's parts, as an audit line lists them.
nlohmann::json partDigests(const Manifest& manifest);

// Throws RepositoryError when the line cannot be written.
void appendAudit(const std::filesystem::path& repositoryRoot, const std::string& project,
                 const nlohmann::json& entry);

}  // namespace volumes
