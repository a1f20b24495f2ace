#pragma once
// What one restore will do, decided from the manifest and the target stack before anything is
// touched: `restore --dry-run` prints exactly this and the run follows it. No I/O here.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "volumes/manifest.hpp"

namespace agentchat {

// --only: mysql, redis, volumes, config, logs, objects, volume:<key or name>, objects:<name>.
// Empty: everything.
struct RestoreSelection {
  std::set<std::string> components;
  std::set<std::string> volumes;
  std::set<std::string> objects;  // objects:NAME
  bool empty() const { return components.empty() && volumes.empty() && objects.empty(); }
};
// Throws std::invalid_argument naming an unknown word.
RestoreSelection parseRestoreSelection(const std::string& list);

struct RestoreItem {
  volumes::PartRecord part;
  volumes::PartKind kind;  // MysqlDump, RedisRdb, Volume, Sqlite, Config, Logs
  std::string service;     // target service (mysql-dump, redis-rdb, logs; volume, sqlite: first user)
  std::string volume;      // volume, sqlite: the target volume's real name
  std::string volumeKey;
  std::string path;  // logs: the directory in the container; objects: the x-agentchat objects entry
  // volume: the databases its sqlite part (restored right after it) replaces, by path in the volume;
  // their -wal, -shm and -journal in this part are left out.
  std::vector<std::string> sqliteFiles;
};

struct RestorePlan {
  std::string sourceProject, targetProject;
  std::vector<RestoreItem> items;  // in the order they are restored
  // Containers stopped before the data is replaced (dependents first), started again afterwards.
  std::vector<compose::StackContainer> stop;
  std::vector<std::string> missingVolumes;  // created with compose's labels before restoring
  std::vector<std::string> notes;
  bool has(volumes::PartKind kind) const;
};

// Throws std::invalid_argument when the backup has nothing the selection asks for, or a part
// belongs to a service the target stack does not have.
RestorePlan planRestore(const volumes::Manifest& manifest, const compose::Stack& target,
                        const RestoreSelection& selection);

// "volume-mysql_data.tar.zst" -> "mysql_data".
std::string volumeKeyOf(const std::string& partName);
// "sqlite-mysql_data.tar.zst" -> "mysql_data".
std::string sqliteVolumeKeyOf(const std::string& partName);
// "objects-knowledge.tar.zst" -> "knowledge".
std::string objectsNameOf(const std::string& partName);

}  // namespace agentchat
