#pragma once
// What one backup of a stack will take, decided before anything is touched: `backup --dry-run`
// prints exactly this, and the run follows it. No I/O here.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "plugin/databases/database_role.hpp"
#include "volumes/part_kind.hpp"

namespace agentchat {

enum class Component { Mysql, Redis, Postgres, Volumes, Config, Logs, Objects };
// "mysql,redis" -> {Mysql, Redis}; throws std::invalid_argument naming an unknown one.
std::set<Component> parseComponents(const std::string& list);
// "redis" -> Redis; nullopt for anything else.
std::optional<Component> componentNamed(const std::string& name);

enum class Consistency { Online, Stop };

struct BackupOptions {
  Consistency consistency = Consistency::Online;
  std::set<Component> only;  // empty: everything
  bool wants(Component c) const { return only.empty() || only.count(c) > 0; }
};

struct PlannedPart {
  std::string name;        // file name in the backup, e.g. "mysql.sql.zst"
  volumes::PartKind kind;  // MysqlDump, RedisRdb (+ RedisAof when AOF is on), PostgresGlobals (+ a
                           // PostgresDump per database, planned once the server is asked), Volume, ...
  std::string service;
  std::string source;              // volume name, or paths
  std::vector<std::string> paths;  // logs: paths in the container
};

struct BackupPlan {
  Consistency consistency = Consistency::Online;
  std::vector<PlannedPart> parts;
  // Online: the app containers paused around the database snapshots. Stop: every running
  // container, in the order they are stopped (dependents first).
  std::vector<compose::StackContainer> hold;
  std::vector<std::string> notes;  // what is left out and why, for the plan and the manifest
};

BackupPlan planBackup(const compose::Stack& stack, const BackupOptions& options);

}  // namespace agentchat
