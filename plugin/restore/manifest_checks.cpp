#include "plugin/restore/manifest_checks.hpp"

#include <map>

#include "plugin/databases/mysql_catalog.hpp"
#include "plugin/databases/redis_snapshot.hpp"

namespace agentchat {

std::map<std::string, std::string> rowCounts(MysqlClient& client, const std::vector<std::string>& tables) {
  std::map<std::string, std::string> out;
  if (tables.empty()) return out;
  std::string sql;
  for (const auto& table : tables) {
    auto dot = table.find('.');
    sql += (sql.empty() ? "" : " UNION ALL ") + std::string("SELECT COUNT(*) FROM `") + table.substr(0, dot) +
           "`.`" + table.substr(dot + 1) + "`";
  }
  auto rows = client.query(sql);
  for (std::size_t i = 0; i < tables.size(); ++i)
    out[tables[i]] = i < rows.size() && !rows[i].empty() ? rows[i][0].value_or("?") : "?";
  return out;
}

std::vector<std::string> mysqlProblems(MysqlClient& client, const nlohmann::json& detail) {
  std::vector<std::string> problems;
  std::vector<std::string> databases = detail.at("databases").get<std::vector<std::string>>();
  auto catalog = surveyMysql(client, databases).tables;
  const auto& tables = detail.at("tables");
  std::vector<std::pair<std::string, std::string>> counted;  // table, rows the manifest says
  for (const auto& [table, expected] : tables.items()) {
    auto found = catalog.find(table);
    if (found == catalog.end()) {
      problems.push_back(table + ": missing after loading");
      continue;
    }
    if (found->second.columns != expected.at("columns").get<std::string>())
      problems.push_back(table + ": columns differ from the manifest");
    if (found->second.engine != "VIEW")
      counted.emplace_back(table, std::to_string(expected.at("rows").get<std::uint64_t>()));
  }
  std::vector<std::string> names;
  for (const auto& c : counted) names.push_back(c.first);
  auto counts = rowCounts(client, names);
  for (const auto& [table, want] : counted) {
    if (counts[table] != want)
      problems.push_back(table + ": " + want + " rows in the manifest, " + counts[table] + " loaded");
  }
  return problems;
}

std::vector<std::string> redisProblems(RedisClient& client, const nlohmann::json& detail) {
  std::vector<std::string> problems;
  std::map<std::string, std::uint64_t> loaded;
  for (const auto& [key, value] : client.info("keyspace")) {
    if (key.rfind("db", 0) == 0) loaded[key] = keyCount(value);
  }
  const auto expires = detail.value("expires", nlohmann::json::object());
  const auto& keys = detail.at("keys");
  for (const auto& [db, expected] : keys.items()) {
    auto want = expected.get<std::uint64_t>();
    auto got = loaded.count(db) ? loaded[db] : 0;
    // Keys whose TTL ran out since the backup are dropped on load: fewer is not a loss.
    if (got > want || (got < want && expires.value(db, 0) == 0))
      problems.push_back(db + ": " + std::to_string(want) + " keys in the manifest, " + std::to_string(got) +
                         " loaded");
  }
  for (const auto& [db, count] : loaded) {
    if (!keys.contains(db) && count > 0)
      problems.push_back(db + ": " + std::to_string(count) + " keys loaded, none in the manifest");
  }
  return problems;
}

}  // namespace agentchat
