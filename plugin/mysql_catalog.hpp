#pragma once
// The tables of the dumped databases as the server describes them: storage engine and a
// fingerprint of the columns (names, types, order), so a restore can tell a table came back
// with the same shape, and an online backup can warn about tables a transaction cannot freeze.
#include <map>
#include <string>
#include <vector>

#include "plugin/mysql_client.hpp"

namespace agentchat {

struct TableInfo {
  std::string engine;   // InnoDB, MyISAM, Aria, ... ("VIEW" for views)
  std::string columns;  // sha256 (16 hex) of "name type,name type,..." in column order
  std::size_t columnCount = 0;
};

// "db.table" -> info.
std::map<std::string, TableInfo> tableCatalog(MysqlClient& client, const std::vector<std::string>& databases);

// Engines --single-transaction gives a consistent view of (others may change during the dump).
bool transactional(const std::string& engine);

}  // namespace agentchat
