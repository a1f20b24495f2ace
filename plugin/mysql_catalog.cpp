#include "plugin/mysql_catalog.hpp"

#include "dockerapi/sha256.hpp"

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

std::map<std::string, TableInfo> tableCatalog(MysqlClient& client,
                                              const std::vector<std::string>& databases) {
  std::map<std::string, TableInfo> out;
  if (databases.empty()) return out;
  std::string in = quoteList(databases);
  for (const auto& row : client.query("SELECT table_schema, table_name, IFNULL(engine, 'VIEW') FROM "
                                      "information_schema.tables WHERE table_schema IN (" +
                                      in + ") ORDER BY 1, 2")) {
    if (row.size() == 3 && row[0] && row[1]) out[*row[0] + "." + *row[1]].engine = row[2].value_or("");
  }
  std::map<std::string, std::string> shapes;
  for (const auto& row : client.query("SELECT table_schema, table_name, column_name, column_type FROM "
                                      "information_schema.columns WHERE table_schema IN (" +
                                      in + ") ORDER BY 1, 2, ordinal_position")) {
    if (row.size() != 4 || !row[0] || !row[1]) continue;
    std::string key = *row[0] + "." + *row[1];
    auto& shape = shapes[key];
    shape += (shape.empty() ? "" : ",") + row[2].value_or("") + " " + row[3].value_or("");
    ++out[key].columnCount;
  }
  for (auto& [key, info] : out) info.columns = dockerapi::sha256Hex(shapes[key]).substr(0, 16);
  return out;
}

}  // namespace agentchat
