#include "plugin/maintain/maintain_tables.hpp"

#include <strings.h>

#include "plugin/databases/mysql_catalog.hpp"

namespace agentchat {

namespace {

std::string field(const MysqlClient::Row& row, std::size_t i) {
  return i < row.size() ? row[i].value_or("") : std::string();
}

bool isTimestamp(const MysqlClient::Row& row) {
  return row.size() == 2 && field(row, 0) == "T";
}

// InnoDB answers OPTIMIZE with a note and then "status OK"; MyISAM with "Table is already up to
// date". Only an error row or a final "Operation failed" is a failure.
void judge(TableMaintenance& result, const std::vector<MysqlClient::Row>& messages) {
  bool error = false, anyStatus = false;
  for (const auto& row : messages) {
    std::string type = field(row, 2), text = field(row, 3);
    if (::strcasecmp(type.c_str(), "error") == 0) {
      error = true;
      result.notes.push_back(text);
    } else if (::strcasecmp(type.c_str(), "status") == 0) {
      if (anyStatus) result.notes.push_back(result.status);
      anyStatus = true;
      result.status = text;
    } else {
      result.notes.push_back(type + ": " + text);
    }
  }
  result.ok = anyStatus && !error && result.status != "Operation failed";
  if (!anyStatus) result.status = "no status from the server";
  if (error && !result.notes.empty()) result.status = result.notes.back();
}

}  // namespace

std::string maintenanceScript(const std::string& operation, const std::vector<TableName>& tables) {
  const std::string stamp = "SELECT 'T', UNIX_TIMESTAMP(SYSDATE(6));\n";
  std::string sql = stamp;
  for (const auto& t : tables) {
    sql +=
        operation + " TABLE " + quoteIdentifier(t.database) + "." + quoteIdentifier(t.table) + ";\n" + stamp;
  }
  return sql;
}

std::vector<TableMaintenance> parseMaintenance(const std::vector<MysqlClient::Row>& rows,
                                               const std::vector<TableName>& tables) {
  std::vector<TableMaintenance> results;
  std::vector<MysqlClient::Row> messages;
  std::optional<double> started;
  for (const auto& row : rows) {
    if (!isTimestamp(row)) {
      messages.push_back(row);
      continue;
    }
    double now = std::stod(field(row, 1));
    if (started && results.size() < tables.size()) {
      TableMaintenance result;
      result.name = tables[results.size()];
      result.seconds = now - *started;
      judge(result, messages);
      results.push_back(std::move(result));
    }
    messages.clear();
    started = now;
  }
  // A script cut short leaves tables without an answer: say so rather than drop them.
  for (std::size_t i = results.size(); i < tables.size(); ++i) {
    results.push_back({tables[i], false, "no answer from the server", {}, 0});
  }
  return results;
}

std::vector<TableName> baseTables(MysqlClient& client, const std::vector<std::string>& databases) {
  MysqlSurvey survey = surveyMysql(client, databases);
  std::vector<TableName> tables;
  for (const auto& [key, info] : survey.tables) {
    if (info.engine == "VIEW") continue;
    // Keys are "db.table"; the longest database that prefixes it is the one (names may hold dots).
    std::string database;
    for (const auto& d : survey.databases) {
      if (key.size() > d.size() && key.compare(0, d.size(), d) == 0 && key[d.size()] == '.' &&
          d.size() > database.size())
        database = d;
    }
    if (!database.empty()) tables.push_back({database, key.substr(database.size() + 1)});
  }
  return tables;
}

std::vector<TableMaintenance> maintainTables(MysqlClient& client, const std::string& operation,
                                             const std::vector<TableName>& tables) {
  if (tables.empty()) return {};
  try {
    return parseMaintenance(client.query(maintenanceScript(operation, tables)), tables);
  } catch (const MysqlError&) {
    std::vector<TableMaintenance> results;
    for (const auto& table : tables) {
      try {
        auto one = parseMaintenance(client.query(maintenanceScript(operation, {table})), {table});
        results.push_back(one.front());
      } catch (const MysqlError& e) {
        results.push_back({table, false, e.what(), {}, 0});
      }
    }
    return results;
  }
}

}  // namespace agentchat
