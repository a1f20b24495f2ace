#pragma once
// What pg_dumpall and pg_dump wrote, loaded into a server: by a restore, and by verify --deep's
// drill into a throwaway server. Failures throw PostgresError with the client's first error line.
#include <string>

#include "base/streams.hpp"
#include "plugin/databases/postgres_client.hpp"

namespace agentchat {

// The roles script (made fit by postgresGlobalsForRestore: roles that exist are kept, the login's
// password is not touched) in one transaction.
void loadPostgresRoles(PostgresClient& client, const std::string& script);

// `database` dropped (its sessions ended) and created again from the pg_dump -Fc archive `dump`
// streams, objects made since the dump gone with it.
void recreatePostgresDatabase(PostgresClient& client, const std::string& database, base::ChunkSource dump);

}  // namespace agentchat
