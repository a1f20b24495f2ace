#pragma once
// The database parts of a backup: a MySQL/MariaDB dump, a Redis RDB (plus its AOF directory), and a
// PostgreSQL server's roles plus one pg_dump per database.
// Each is prepared before the writers are paused, so the pause holds only the snapshot itself.
#include <functional>
#include <memory>
#include <semaphore>
#include <string>

#include "plugin/backup/backup_run.hpp"
#include "plugin/databases/mysql_catalog.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_client.hpp"
#include "plugin/databases/redis_client.hpp"
#include "plugin/databases/redis_snapshot.hpp"

namespace agentchat {

// A database part, made ready before any container is paused: login checked, server surveyed,
// file layout read, so that the pause holds only the snapshot itself and a wrong password costs
// the stack nothing.
struct PreparedDatabase {
  std::string container;
  std::unique_ptr<MysqlClient> mysql;
  MysqlSurvey survey;
  std::unique_ptr<RedisClient> redis;
  RedisLayout layout;
};

// Throws BackupFailed or MysqlError naming the service, before anything is held.
PreparedDatabase prepareDatabase(dockerapi::Engine& engine, const compose::StackService& service);

// A PostgreSQL service, made ready the same way: login checked, databases listed.
struct PreparedPostgres {
  std::string container;
  std::unique_ptr<PostgresClient> client;
  PostgresSurvey survey;
  // Each database's snapshot is taken at once, inside the pause; the dumps then take turns, so a
  // server with many databases is not asked for two connections per database at the same time.
  std::unique_ptr<std::counting_semaphore<>> dumpSlots = std::make_unique<std::counting_semaphore<>>(2);
};
PreparedPostgres preparePostgres(dockerapi::Engine& engine, const compose::StackService& service);
// The parts of its databases: "SERVICE.DATABASE.pgdump.zst" (a name that is not a plain file name
// is made one, with a hash to keep it unique; the part's source is the database's own name).
std::vector<PlannedPart> postgresDumpParts(const std::string& service, const PostgresSurvey& survey);

// `onSnapshot` runs once the database's point in time is fixed (dump snapshot, BGSAVE fork).
void dumpMysqlPart(PartWriter& run, const PlannedPart& planned, PreparedDatabase& db,
                   const std::function<void()>& onSnapshot);
void snapshotRedisParts(PartWriter& run, const PlannedPart& planned, PreparedDatabase& db,
                        const std::function<void()>& onForked);
void dumpPostgresPart(PartWriter& run, const PlannedPart& planned, PreparedPostgres& db,
                      const std::function<void()>& onSnapshot);
void dumpPostgresGlobalsPart(PartWriter& run, const PlannedPart& planned, PreparedPostgres& db);

}  // namespace agentchat
