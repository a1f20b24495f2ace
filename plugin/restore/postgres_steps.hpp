#pragma once
// The restore's PostgreSQL steps: the server's roles first, then each database dropped and created
// again from its dump, ownership and privileges as dumped. The role the container logs in with
// keeps its password (postgres_dump.hpp), so the stack goes on accepting its POSTGRES_PASSWORD.
#include <string>
#include <vector>

#include "plugin/restore/restore_steps.hpp"

namespace agentchat {

// Runs the backup's roles script (PostgresGlobals part) against the service's server.
void restorePostgresGlobals(RestoreContext& ctx, const RestoreItem& item);
// Drops the part's database (sessions ended: WITH (FORCE) from PostgreSQL 13 on) and restores it
// with pg_restore --create from the part, streamed through exec stdin. Refuses a dump of a newer
// major version than the server's before dropping anything.
void loadPostgresDump(RestoreContext& ctx, const RestoreItem& item);
// The restored database against the catalog the backup recorded (tables' rows, sequences,
// extensions); empty when they agree.
std::vector<std::string> postgresProblems(RestoreContext& ctx, const RestoreItem& item);

}  // namespace agentchat
