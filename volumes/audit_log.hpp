#pragma once
// The audit log: one JSON line per backup, restore, verify, prune, migrate, export or import — who,
// where, what, on which backup, with which parts, and how it ended. Only ever appended to
// (Repository::appendAudit): <repository>/<project>/audit.log, 0600, in a local repository; one
// object a line under PREFIX/<project>/audit/ in an S3 one.
#include <nlohmann/json.hpp>

#include "volumes/manifest.hpp"

namespace volumes {

// [{"name", "sha256"}] of the manifest's parts, as an audit line lists them.
nlohmann::json partDigests(const Manifest& manifest);

}  // namespace volumes
