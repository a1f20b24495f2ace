#include "plugin/databases/mysql_catalog.hpp"

#include "base/sha256.hpp"

namespace agentchat {

namespace {

std::string quoteList(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    std::string quoted = "'";
    for (char c : name) {
      if (c == '\'' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    out += (out.empty() ? "" : ",") + quoted + "'";
  }
  return out;
}

}  // namespace

bool transactional(const std::string& engine) {
  return engine == "InnoDB" || engine == "VIEW" || engine == "ROCKSDB" || engine == "TokuDB";
}

MysqlSurvey surveyMysql(MysqlClient& client, const std::vector<std::string>& wanted) {
  std::string which = wanted.empty() ? "NOT IN ('mysql','information_schema','performance_schema','sys')"
                                     : "IN (" + quoteList(wanted) + ")";
  // Four result sets in one exec; each row says which by its first column.
  std::string sql =
      "SELECT 'v', VERSION(), @@GLOBAL.log_bin;"
      "SELECT 'd', schema_name FROM information_schema.schemata WHERE schema_name " +
      which +
      " ORDER BY 2;"
      "SELECT 't', table_schema, table_name, IFNULL(engine, 'VIEW') FROM information_schema.tables "
      "WHERE table_schema " +
      which +
      " ORDER BY 2, 3;"
      "SELECT 'c', table_schema, table_name, column_name, column_type, is_nullable FROM "
      "information_schema.columns "
      "WHERE table_schema " +
      which + " ORDER BY 2, 3, ordinal_position;";
  MysqlSurvey survey;
  std::map<std::string, std::string> shapes;
  for (const auto& row : client.query(sql)) {
    auto at = [&](std::size_t i) { return i < row.size() ? row[i].value_or("") : std::string(); };
    std::string kind = at(0);
    if (kind == "v") {
      survey.version = at(1);
      survey.binlogOn = at(2) == "1";
    } else if (kind == "d") {
      survey.databases.push_back(at(1));
    } else if (kind == "t") {
      survey.tables[at(1) + "." + at(2)].engine = at(3);
    } else if (kind == "c") {
      std::string key = at(1) + "." + at(2);
      auto& shape = shapes[key];
      shape += (shape.empty() ? "" : ",") + at(3) + " " + at(4);
      auto& table = survey.tables[key];
      ++table.columnCount;
      table.columnList.push_back({at(3), at(4), at(5) == "YES"});
    }
  }
  survey.mariadb = survey.version.find("MariaDB") != std::string::npos;
  if (!wanted.empty()) survey.databases = wanted;  // a missing one is the dump's error to report
  for (auto& [key, info] : survey.tables) info.columns = base::sha256Hex(shapes[key]).substr(0, 16);
  return survey;
}

}  // namespace agentchat
