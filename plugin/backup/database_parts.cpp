#include "plugin/backup/database_parts.hpp"

#include <spdlog/spdlog.h>

#include "base/sha256.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/whole_archive.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/dump_row_counter.hpp"
#include "plugin/databases/mysql_dump.hpp"
#include "plugin/databases/postgres_dump.hpp"
#include "plugin/databases/postgres_snapshot.hpp"

namespace agentchat {

using nlohmann::json;

PreparedDatabase prepareDatabase(dockerapi::Engine& engine, const compose::StackService& service) {
  PreparedDatabase prepared;
  prepared.container = requireRunning(service);
  if (service.role == compose::Role::Redis) {
    prepared.redis = std::make_unique<RedisClient>(engine, prepared.container, service.name,
                                                   databaseLogin(engine, service));
    std::string error;
    if (!prepared.redis->ping(error))
      throw BackupFailed("service " + service.name + ": Redis does not answer: " + error);
    prepared.layout = redisLayout(*prepared.redis);
    return prepared;
  }
  auto login = databaseLogin(engine, service);
  if (!login) {
    throw BackupFailed("service " + service.name +
                       ": no MySQL login found in the container's environment (set MYSQL_ROOT_PASSWORD, "
                       "MARIADB_ROOT_PASSWORD, a *_FILE variant or MYSQL_USER/MYSQL_PASSWORD)");
  }
  prepared.mysql = std::make_unique<MysqlClient>(engine, prepared.container, service.name, *login);
  // Throws MysqlError naming the service and where the password came from.
  prepared.survey = surveyMysql(*prepared.mysql, service.settings.databases);
  for (const auto& [table, info] : prepared.survey.tables) {
    if (!transactional(info.engine)) {
      spdlog::warn(
          "service {}: table {} uses {}, which a transaction cannot freeze: its rows may change during "
          "an online dump (use --consistency stop for an exact copy)",
          service.name, table, info.engine);
    }
  }
  return prepared;
}

void dumpMysqlPart(PartWriter& run, const PlannedPart& planned, PreparedDatabase& db,
                   const std::function<void()>& onSnapshot) {
  const auto& service = serviceOf(run.stack, planned);
  DumpRowCounter counter;
  MysqlDumpResult result;
  run.writePart(planned, [&](const base::ChunkSink& sink) {
    result = dumpMysql(
        *db.mysql, db.survey,
        [&](std::string_view sql) {
          counter.feed(sql);
          sink(sql);
        },
        onSnapshot);
  });
  json tables = json::object();
  for (const auto& [table, info] : db.survey.tables) {
    auto rows = counter.rows().find(table);
    json columnList = json::array();
    for (const auto& c : info.columnList) columnList.push_back({c.name, c.type, c.nullable});
    tables[table] = {{"engine", info.engine},
                     {"columns", info.columns},
                     {"columnCount", info.columnCount},
                     {"columnList", columnList},  // [name, type, nullable]
                     {"rows", rows == counter.rows().end() ? 0 : rows->second}};
  }
  json binlog = nullptr;
  if (result.binlogFile) binlog = {{"file", *result.binlogFile}, {"position", *result.binlogPosition}};
  run.detail("mysql", service.name,
             {{"part", planned.name},
              {"serverVersion", result.serverVersion},
              {"mariadb", result.mariadb},
              {"image", service.image},
              {"databases", result.databases},
              {"binlog", binlog},
              {"tables", tables}});
}

void snapshotRedisParts(PartWriter& run, const PlannedPart& planned, PreparedDatabase& db,
                        const std::function<void()>& onForked) {
  const auto& service = serviceOf(run.stack, planned);
  const std::string& container = db.container;
  RedisSnapshotResult result;
  run.writePart(planned, [&](const base::ChunkSink& sink) {
    result =
        snapshotRedis(run.engine, *db.redis, container, db.layout, sink, std::chrono::seconds(600), onForked);
  });
  // "version" stays INFO's redis_version (what the restore reads the file layout by); compat
  // judges by the flavour and its own version, as Valkey numbers RDB formats its own way.
  json detail = {{"part", planned.name},
                 {"version", result.redisVersion},
                 {"flavour", flavourName(result.server.flavour)},
                 {"serverVersion", result.server.version},
                 {"image", service.image},
                 {"keys", result.keys},
                 {"expires", result.expires},
                 {"aof", result.aofEnabled},
                 {"rdbPath", result.rdbPath},
                 {"aofDirectory", result.aofDirectory}};
  if (result.aofEnabled) {
    // Redis 7 keeps a multi-part AOF in a directory: taken too, so either file can be restored.
    PlannedPart aof{
        service.name + "-aof.tar.zst", volumes::PartKind::RedisAof, service.name, result.aofDirectory, {}};
    try {
      // Redis appends to the AOF and swaps its files on a rewrite while they are read.
      whileArchiveTorn(
          "the AOF of service " + service.name,
          [&] {
            run.writePart(aof, [&](const base::ChunkSink& sink) {
              dockerapi::getWholeArchive(run.engine, container, result.aofDirectory, sink);
            });
          },
          "Redis may be rewriting its AOF right now: run the backup again, or with --consistency stop");
      detail["aofPart"] = aof.name;
    } catch (const dockerapi::EngineError& e) {
      if (e.kind() != dockerapi::ErrorKind::NotFound) throw;
      spdlog::warn(
          "service {}: AOF is on but {} does not exist (Redis before 7 keeps one file); the RDB is complete",
          service.name, result.aofDirectory);
    }
  }
  run.detail("redis", service.name, detail);
}

PreparedPostgres preparePostgres(dockerapi::Engine& engine, const compose::StackService& service) {
  PreparedPostgres prepared;
  prepared.container = requireRunning(service);
  auto login = databaseLogin(engine, service);
  if (!login) {
    throw BackupFailed("service " + service.name +
                       ": no PostgreSQL login found in the container's environment (POSTGRES_USER with "
                       "POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE)");
  }
  prepared.client = std::make_unique<PostgresClient>(engine, prepared.container, service.name, *login);
  prepared.survey = surveyPostgres(*prepared.client, service.settings.databases);  // checks the login too
  if (prepared.survey.databases.empty() && !prepared.survey.standby)
    throw BackupFailed("service " + service.name + ": the server has no database to dump");
  return prepared;
}

std::vector<PlannedPart> postgresDumpParts(const std::string& service, const PostgresSurvey& survey) {
  std::vector<PlannedPart> parts;
  for (const auto& database : survey.databases) {
    std::string slug;
    for (char c : database)
      slug.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_');
    if (slug != database || slug.empty()) {
      base::Sha256 hash;
      hash.update(database);
      slug += "-" + hash.hexDigest().substr(0, 8);
    }
    parts.push_back(
        {service + "." + slug + ".pgdump.zst", volumes::PartKind::PostgresDump, service, database, {}});
  }
  return parts;
}

void dumpPostgresPart(PartWriter& run, const PlannedPart& planned, PreparedPostgres& db,
                      const std::function<void()>& onSnapshot) {
  const std::string& database = planned.source;
  PostgresSnapshot snapshot(*db.client, database);
  onSnapshot();  // the dump sees the snapshot's moment however long it runs
  db.dumpSlots->acquire();
  struct Slot {
    std::counting_semaphore<>& slots;
    ~Slot() { slots.release(); }
  } slot{*db.dumpSlots};
  run.writePart(planned, [&](const base::ChunkSink& sink) {
    dumpPostgresDatabase(*db.client, database, snapshot.id(), sink);
  });
  auto catalog = snapshot.catalog();
  snapshot.close();
  catalog["part"] = planned.name;
  run.detail({"postgres", planned.service, "databases", database}, catalog);
}

void dumpPostgresGlobalsPart(PartWriter& run, const PlannedPart& planned, PreparedPostgres& db) {
  const auto& service = serviceOf(run.stack, planned);
  std::string tail;
  run.writePart(planned, [&](const base::ChunkSink& sink) {
    dumpPostgresGlobals(*db.client, [&](std::string_view sql) {
      tail.append(sql);
      if (tail.size() > 512) tail.erase(0, tail.size() - 512);
      sink(sql);
    });
  });
  if (tail.find(kPostgresGlobalsTrailer) == std::string::npos)
    throw BackupFailed("service " + service.name + ": pg_dumpall's roles script ends early (no \"" +
                       kPostgresGlobalsTrailer + "\" line)");
  run.detail({"postgres", service.name, "serverVersion"}, db.survey.version);
  run.detail({"postgres", service.name, "versionNumber"}, db.survey.versionNumber);
  run.detail({"postgres", service.name, "image"}, service.image);
  // How the server runs (shared_preload_libraries and the like): verify --deep's drill runs it so.
  auto info = run.engine.inspectContainer(db.container);
  run.detail({"postgres", service.name, "entrypoint"}, info.entrypoint);
  run.detail({"postgres", service.name, "command"}, info.cmd);
  run.detail({"postgres", service.name, "login"}, db.client->user());
  run.detail({"postgres", service.name, "globalsPart"}, planned.name);
}

}  // namespace agentchat
