#pragma once
// What a MySQL/MariaDB server holds, asked in one round trip before a dump: version, binlog, the
// databases to dump, and their tables with storage engine and a fingerprint of the columns
// (names, types, order) — so a restore can tell a table came back with the same shape, and an
// online backup can warn about tables a transaction cannot freeze. One exec, so it costs the
// paused writers nothing: it runs before they are paused.
#include <map>
#include <string>
#include <vector>

#include "plugin/databases/mysql_client.hpp"

namespace agentchat {

struct ColumnInfo {
  std::string name;
  std::string type;  // column_type, e.g. "varchar(64)", "decimal(20,6)"
  bool nullable = true;
};

struct TableInfo {
  std::string engine;   // InnoDB, MyISAM, Aria, ... ("VIEW" for views)
  std::string columns;  // sha256 (16 hex) of "name type,name type,..." in column order
  std::size_t columnCount = 0;
  std::vector<ColumnInfo> columnList;  // in order: what a compatibility check compares
};

struct MysqlSurvey {
  std::string version;  // SELECT VERSION()
  bool mariadb = false;
  bool binlogOn = false;
  std::vector<std::string> databases;       // `wanted`, else all but the server's own
  std::map<std::string, TableInfo> tables;  // "db.table" -> info
};

// Throws MysqlError (e.g. a refused login) naming the service.
MysqlSurvey surveyMysql(MysqlClient& client, const std::vector<std::string>& wanted);

// Engines --single-transaction gives a consistent view of (others may change during the dump).
bool transactional(const std::string& engine);

}  // namespace agentchat
