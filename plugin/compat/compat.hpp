#pragma once
// The version-compatibility check (README: Commands, `compat`), automated: what changed between a backup and
// the running stack, each finding rated low / medium / high with its reason. Pure: the caller supplies the
// manifest's details and what the live servers report.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plugin/databases/mysql_catalog.hpp"
#include "plugin/databases/redis_server.hpp"

namespace agentchat {

enum class Risk { Low, Medium, High };
const char* riskName(Risk risk);

struct Finding {
  Risk risk = Risk::Low;
  std::string subject;   // "mysql server", "agentchat.user", "agentchat.user.email", "redis"
  std::string change;    // what differs, backup -> live
  std::string reason;    // why it matters, and what to do
  bool refused = false;  // a restore refuses it even with --force
};

// `backup` is the manifest's details.mysql.<service>; `live` the running server's survey.
std::vector<Finding> compareMysql(const nlohmann::json& backup, const MysqlSurvey& live);

// The RDB format version each Redis release writes and the newest it can load.
int rdbVersionOf(const std::string& redisVersion);
// The RDB format a server writes: Redis by its table, Valkey 7.2-8.x 11, Valkey 9+ 80.
int rdbWrittenBy(const RedisServer& server);
// Whether the server starts with an RDB file of that format.
bool rdbLoadableBy(const RedisServer& server, int rdbVersion);
// From the file's first 9 bytes: "REDIS0011" -> 11, "VALKEY080" -> 80; -1 if neither.
int rdbVersionFromHeader(const std::string& head);
// `rdbVersion` from the backed-up file's header.
std::vector<Finding> compareRedis(int rdbVersion, const RedisServer& backup, const RedisServer& live);

// A PostgreSQL server as the restore would meet it: its version, and the extensions its image can
// create (pg_available_extensions).
struct PostgresTarget {
  int versionNumber = 0;
  std::vector<std::string> availableExtensions;
  // The columns of each table, by database and "schema.table", of the backup's databases that
  // exist on the server.
  std::map<std::string, std::map<std::string, std::vector<ColumnInfo>>> tables;
};
// `backup` is the manifest's details.postgres.<service>. A dump of a newer major version is high (the
// restore refuses it), an extension the image lacks is high (its database would not load), a newer
// major version low; each table's columns as for MySQL ("db.schema.table").
std::vector<Finding> comparePostgres(const std::string& service, const nlohmann::json& backup,
                                     const PostgresTarget& live);

Risk worst(const std::vector<Finding>& findings);

}  // namespace agentchat
