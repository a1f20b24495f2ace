#pragma once
// A stop-mode backup holds a PostgreSQL server's data directory raw, and only the major version that
// wrote it starts on it (moving between majors takes a dump, or pg_upgrade): restoring it into a
// service of another major is refused, even with --force. The backup's major is the PG_VERSION file
// at the data directory's root in the volume's part (any layout: PostgreSQL 18 keeps it under 18/docker);
// the service's, its image's PG_MAJOR (as the official image sets it) or, running, `postgres -V`.
#include <optional>
#include <vector>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/compat/compat.hpp"
#include "plugin/restore/restore_plan.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

// For each planned volume that a PostgreSQL service mounts and whose part holds a data directory: a
// major-version mismatch (refused), or a service whose major cannot be told (high, --force goes on).
std::vector<Finding> rawPostgresFindings(dockerapi::Engine& engine, const compose::Stack& target,
                                         const RestorePlan& plan, const volumes::BackupRef& backup,
                                         const volumes::PartKeys* keys);

// "15\n" -> 1500 / 15, "9.6" -> 906: the major as postgresMajor() numbers it; nullopt if unreadable.
std::optional<int> postgresMajorFromText(const std::string& text);

}  // namespace agentchat
