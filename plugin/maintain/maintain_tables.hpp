#pragma once
// Weekly table maintenance (README: `maintain`): ANALYZE TABLE (or OPTIMIZE TABLE) on every base table of the
// databases a backup dumps, each timed by the server, with the server's own verdict per table.
#include <string>
#include <vector>

#include "plugin/databases/mysql_client.hpp"

namespace agentchat {

struct TableName {
  std::string database;
  std::string table;
  std::string qualified() const { return database + "." + table; }
};

struct TableMaintenance {
  TableName name;
  bool ok = false;
  std::string status;              // the server's last status Msg_text ("OK"), or why it failed
  std::vector<std::string> notes;  // its other messages (InnoDB's "doing recreate + analyze instead")
  double seconds = 0;              // measured by the server (SYSDATE) around the statement
};

// One script for all tables: a server timestamp before and after each "OPERATION TABLE".
// `operation` is "ANALYZE" or "OPTIMIZE".
std::string maintenanceScript(const std::string& operation, const std::vector<TableName>& tables);

// The script's batch output (timestamps as ('T', seconds), statement results as Table, Op,
// Msg_type, Msg_text) back to one result per table, in order.
std::vector<TableMaintenance> parseMaintenance(const std::vector<MysqlClient::Row>& rows,
                                               const std::vector<TableName>& tables);

// The base tables (no views) of `databases` (empty: all but the server's own, as a backup does).
std::vector<TableName> baseTables(MysqlClient& client, const std::vector<std::string>& databases);

// Runs the operation on every table. A statement the server refuses outright (a privilege) is
// retried table by table, so the failure is pinned on the table it belongs to.
std::vector<TableMaintenance> maintainTables(MysqlClient& client, const std::string& operation,
                                             const std::vector<TableName>& tables);

}  // namespace agentchat
