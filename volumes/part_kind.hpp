#pragma once
// What a part holds. The manifest stores the kind as text; a kind this version does not know
// (a newer plugin wrote it) stays readable for list, verify and copy, and is refused by a restore
// that would otherwise skip it and call itself complete.
#include <optional>
#include <string>

namespace volumes {

// Sqlite: consistent copies of the SQLite databases found in a volume, laid over its volume part
// on restore (plugin/backup/sqlite_parts.hpp). PostgresDump: one database's pg_dump (custom format);
// PostgresGlobals: the roles and grants of its server (pg_dumpall --globals-only). Objects: the
// objects of an S3-compatible bucket or prefix the stack keeps its knowledge files in (issue #19).
enum class PartKind {
  MysqlDump,
  RedisRdb,
  RedisAof,
  Volume,
  Config,
  Logs,
  Sqlite,
  PostgresDump,
  PostgresGlobals,
  Objects  // an object-store bucket's objects (x-agentchat objects), volumes/objects
};

const char* partKindName(PartKind kind);  // as the manifest writes it: "mysql-dump", ...
std::optional<PartKind> parsePartKind(const std::string& text);

}  // namespace volumes
