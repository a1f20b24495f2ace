#pragma once
// <repository>/<project>/audit.log: one JSON line per backup, restore, verify, prune, migrate,
// export or import — who, where, what, on which backup, with which parts, and how it ended. Only
// ever appended to, 0600 like the rest of the repository (Repository::appendAudit writes it).
#include <nlohmann/json.hpp>

#include "volumes/manifest.hpp"

namespace volumes {

// [{"name", "sha256"}] of the manifest's parts, as an audit line lists them.
nlohmann::json partDigests(const Manifest& manifest);

}  // namespace volumes
