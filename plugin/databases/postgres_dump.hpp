#pragma once
// Logical dumps of a PostgreSQL server, streamed out of its container: per database pg_dump's custom
// format (pg_restore can restore it selectively and, from a file, in parallel) taken in an exported
// snapshot, and the cluster's roles and grants (pg_dumpall --globals-only: passwords only as the
// server stores them, hashed). And the one change a restore makes to the roles script.
#include <string>

#include "base/streams.hpp"
#include "plugin/databases/postgres_client.hpp"

namespace agentchat {

// pg_dump -Fc of `database` as of `snapshot` (uncompressed: the part is compressed with zstd).
// Throws PostgresError with pg_dump's words on failure.
void dumpPostgresDatabase(PostgresClient& client, const std::string& database, const std::string& snapshot,
                          const base::ChunkSink& out);

// pg_dumpall --globals-only. Throws PostgresError on failure.
void dumpPostgresGlobals(PostgresClient& client, const base::ChunkSink& out);

// The last line pg_dumpall writes: a globals script without it was cut short.
inline constexpr const char* kPostgresGlobalsTrailer = "PostgreSQL database cluster dump complete";

// The roles script as a restore runs it: a role that exists already is kept (CREATE ROLE becomes a
// no-op for it, its attributes and grants still apply), and the role the container logs in with
// keeps its current password — the restored stack must go on accepting its POSTGRES_PASSWORD — and
// the \restrict fence of newer pg_dumpall versions goes (a psql of an older minor version refuses it).
std::string postgresGlobalsForRestore(const std::string& script, const std::string& loginRole);

}  // namespace agentchat
