#include "plugin/compat/compat.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/version_numbers.hpp"

namespace agentchat {

namespace {

// The risk matrix (README: Commands, `compat`): how risky a change is in each part of AgentChat, whatever the
// change.
struct Module {
  const char* name;
  Risk risk;
  const char* why;
};
const Module* moduleOf(const std::string& table) {
  static const std::map<std::string, Module> modules = {
      {"user", {"user system", Risk::Medium, "check the user table's structure"}},
      {"dialog", {"dialog system", Risk::Low, "check the dialog format"}},
      {"message", {"dialog system", Risk::Low, "check the dialog format"}},
      {"knowledge", {"knowledge base", Risk::High, "files and indexes must be rebuilt"}},
      {"knowledge_file", {"knowledge base", Risk::High, "files and indexes must be rebuilt"}},
  };
  auto dot = table.rfind('.');  // "db.table", "db.schema.table"
  auto it = modules.find(dot == std::string::npos ? table : table.substr(dot + 1));
  return it == modules.end() ? nullptr : &it->second;
}

void add(std::vector<Finding>& out, Risk risk, const std::string& table, const std::string& subject,
         const std::string& change, std::string reason) {
  if (const Module* m = moduleOf(table); m != nullptr) {
    risk = std::max(risk, m->risk);
    reason += std::string("; ") + m->name + " (" + riskName(m->risk) + " risk in the guide): " + m->why;
  }
  out.push_back({risk, subject, change, std::move(reason)});
}

std::string columnText(const nlohmann::json& c) {
  return c.at(1).get<std::string>() + (c.at(2).get<bool>() ? " NULL" : " NOT NULL");
}

// A table's columns as the backup recorded them ([[name, type, nullable], ...]) against the
// running schema's; `name` is the table's ("db.table", "db.schema.table").
void compareColumns(std::vector<Finding>& out, const std::string& name, const nlohmann::json& recorded,
                    const std::vector<ColumnInfo>& live) {
  std::map<std::string, nlohmann::json> before;
  if (recorded.is_array()) {
    for (const auto& c : recorded) before[c.at(0).get<std::string>()] = c;
  }
  std::set<std::string> seen;
  for (const auto& c : live) {
    seen.insert(c.name);
    std::string subject = name + "." + c.name;
    auto it = before.find(c.name);
    if (it == before.end()) {
      add(out, Risk::High, name, subject, "only in the running schema",
          "the running application expects this column; the restored table will not have it");
      continue;
    }
    std::string oldType = it->second.at(1).get<std::string>();
    bool oldNullable = it->second.at(2).get<bool>();
    if (oldType != c.type) {
      add(out, Risk::Medium, name, subject, oldType + " -> " + c.type,
          "the column comes back with its old type: check what the application writes into it");
    }
    if (oldNullable != c.nullable) {
      bool tighter = oldNullable && !c.nullable;
      add(out, tighter ? Risk::Medium : Risk::Low, name, subject,
          columnText(it->second) + " -> " + c.type + (c.nullable ? " NULL" : " NOT NULL"),
          tighter ? "restored rows may hold NULLs the running application does not expect"
                  : "the restored column is stricter than the running one");
    }
  }
  for (const auto& [column, c] : before) {
    if (!seen.count(column)) {
      add(out, Risk::Medium, name, name + "." + column, "only in the backup",
          "the restored table has a column the running application no longer knows");
    }
  }
}

void onlyInBackup(std::vector<Finding>& out, const std::string& name) {
  add(out, Risk::Low, name, name, "only in the backup",
      "the restore recreates it; the running app may not use it");
}

void onlyRunning(std::vector<Finding>& out, const std::string& name) {
  add(out, Risk::Medium, name, name, "only in the running schema",
      "the backup predates this table: a restore leaves it with data newer than the rest");
}

}  // namespace

const char* riskName(Risk risk) {
  switch (risk) {
    case Risk::Low:
      return "low";
    case Risk::Medium:
      return "medium";
    case Risk::High:
      return "high";
  }
  return "?";
}

Risk worst(const std::vector<Finding>& findings) {
  Risk out = Risk::Low;
  for (const auto& f : findings) out = std::max(out, f.risk);
  return out;
}

std::vector<Finding> compareMysql(const nlohmann::json& backup, const MysqlSurvey& live) {
  std::vector<Finding> out;
  std::string was = backup.value("serverVersion", "");
  bool wasMariadb = backup.value("mariadb", false);
  auto a = versionNumbers(was), b = versionNumbers(live.version);
  std::string change = was + " -> " + live.version;
  if (wasMariadb != live.mariadb) {
    out.push_back({Risk::High, "mysql server", change,
                   "MySQL and MariaDB dumps are not interchangeable (system tables, JSON, collations)"});
  } else if (std::vector<int>(a.begin(), a.begin() + 2) > std::vector<int>(b.begin(), b.begin() + 2)) {
    out.push_back(
        {Risk::High, "mysql server", change,
         "the backup comes from a newer server: its dump may use syntax or collations this one lacks"});
  } else if (std::vector<int>(a.begin(), a.begin() + 2) < std::vector<int>(b.begin(), b.begin() + 2)) {
    out.push_back(
        {Risk::Medium, "mysql server", change,
         "an older dump into a newer major/minor release loads, but check defaults and run the upgrade "
         "check (mariadb-upgrade / mysql_upgrade)"});
  } else if (a != b) {
    out.push_back({Risk::Low, "mysql server", change, "patch releases only"});
  }

  const auto& tables = backup.value("tables", nlohmann::json::object());
  for (const auto& [name, table] : tables.items()) {
    auto found = live.tables.find(name);
    if (found == live.tables.end()) {
      onlyInBackup(out, name);
      continue;
    }
    if (!table.contains("columnList")) {
      if (table.value("columns", "") != found->second.columns)
        add(out, Risk::Medium, name, name, "columns differ",
            "the backup predates column lists: compare by hand");
      continue;
    }
    compareColumns(out, name, table["columnList"], found->second.columnList);
  }
  for (const auto& [name, info] : live.tables) {
    if (!tables.contains(name)) onlyRunning(out, name);
  }
  return out;
}

// Redis's src/rdb.h RDB_VERSION: 10 in 7.0, 11 in 7.2, 12 from 7.4 through 8.4, 13 from 8.6. A
// Redis loads every format up to its own.
int rdbVersionOf(const std::string& redisVersion) {
  auto v = versionNumbers(redisVersion);
  if (v[0] > 8 || (v[0] == 8 && v[1] >= 6)) return 13;
  if (v[0] > 7 || (v[0] == 7 && v[1] >= 4)) return 12;
  if (v[0] == 7 && v[1] >= 2) return 11;
  if (v[0] == 7) return 10;
  if (v[0] >= 5) return 9;
  if (v[0] == 4) return 8;
  return 7;
}

namespace {
// Valkey's src/rdb.h: RDB_VERSION 11 in 7.2 through 8.1; 80 (magic "VALKEY080") from 9.0, which
// reserves 12-79 as "foreign" (Redis 7.4+) formats and refuses them unless rdb-version-check is
// relaxed. Valkey 8.x refuses anything above 11.
constexpr int kValkeyRdb = 80;
constexpr int kSharedRdbMax = 11;  // the last format Redis and Valkey both write and read
bool valkey9(const RedisServer& server) {
  return versionNumbers(server.version)[0] >= 9;
}
std::string describe(const RedisServer& server) {
  return std::string(server.flavour == RedisFlavour::Valkey ? "Valkey " : "Redis ") + server.version;
}
}  // namespace

int rdbWrittenBy(const RedisServer& server) {
  if (server.flavour == RedisFlavour::Redis) return rdbVersionOf(server.version);
  return valkey9(server) ? kValkeyRdb : kSharedRdbMax;
}

bool rdbLoadableBy(const RedisServer& server, int rdbVersion) {
  if (server.flavour == RedisFlavour::Redis) return rdbVersion <= rdbVersionOf(server.version);
  return rdbVersion <= kSharedRdbMax || (valkey9(server) && rdbVersion == kValkeyRdb);
}

int rdbVersionFromHeader(const std::string& head) {
  auto digits = [&head](std::size_t from) {
    if (head.size() < 9) return -1;
    int out = 0;
    for (std::size_t i = from; i < 9; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(head[i]))) return -1;
      out = out * 10 + (head[i] - '0');
    }
    return out;
  };
  if (head.rfind("REDIS", 0) == 0) return digits(5);
  if (head.rfind("VALKEY", 0) == 0) return digits(6);
  return -1;
}

std::vector<Finding> comparePostgres(const std::string& service, const nlohmann::json& backup,
                                     const PostgresTarget& live) {
  std::vector<Finding> findings;
  int from = postgresMajor(backup.value("versionNumber", 0)), to = postgresMajor(live.versionNumber);
  std::string change = "PostgreSQL " + std::to_string(from) + " -> " + std::to_string(to);
  if (from > to) {
    findings.push_back({Risk::High, service + " server", change,
                        "pg_restore cannot load a dump of a newer major version: the restore refuses it "
                        "(even with --force); run the service on PostgreSQL " +
                            std::to_string(from) + " or later"});
  } else if (from < to) {
    findings.push_back({Risk::Low, service + " server", change,
                        "a dump loads into a newer major version; check the release notes' "
                        "incompatibilities for what the application uses"});
  }
  const auto databases = backup.value("databases", nlohmann::json::object());
  std::set<std::string> reported;
  for (const auto& [database, catalog] : databases.items()) {
    const auto extensions = catalog.value("extensions", nlohmann::json::object());
    for (const auto& [extension, version] : extensions.items()) {
      bool available = std::find(live.availableExtensions.begin(), live.availableExtensions.end(),
                                 extension) != live.availableExtensions.end();
      if (available || !reported.insert(extension).second) continue;
      findings.push_back(
          {Risk::High, service + " extension " + extension,
           "in the backup (" + version.get<std::string>() + "), not installable in the image",
           "database " + database +
               " would not load: use an image that ships the extension (pgvector, PostGIS, ...)"});
    }
    auto running = live.tables.find(database);
    if (running == live.tables.end()) {
      findings.push_back(
          {Risk::Low, service + " database " + database, "only in the backup", "the restore creates it"});
      continue;
    }
    const auto tables = catalog.value("tables", nlohmann::json::object());
    for (const auto& [table, info] : tables.items()) {
      std::string name = database + "." + table;
      auto found = running->second.find(table);
      if (found == running->second.end()) {
        onlyInBackup(findings, name);
        continue;
      }
      compareColumns(findings, name, info.value("columns", nlohmann::json::array()), found->second);
    }
    for (const auto& [table, columns] : running->second) {
      if (!tables.contains(table)) onlyRunning(findings, database + "." + table);
    }
  }
  return findings;
}

std::vector<Finding> compareRedis(int rdbVersion, const RedisServer& backup, const RedisServer& live) {
  std::string change = describe(backup) + " (RDB " + std::to_string(rdbVersion) + ") -> " + describe(live);
  bool crossing = backup.flavour != live.flavour;
  if (!rdbLoadableBy(live, rdbVersion)) {
    std::string reason;
    if (live.flavour == RedisFlavour::Valkey && rdbVersion > kSharedRdbMax && rdbVersion < kValkeyRdb) {
      reason =
          "Valkey reads Redis's RDB formats only up to 11 and refuses Redis 7.4+'s (RDB 12 and newer) "
          "as foreign: restore into a Redis at least as new as the backup's";
    } else if (live.flavour == RedisFlavour::Redis && rdbVersion == kValkeyRdb) {
      reason = "Redis cannot read Valkey 9's own RDB format (80): restore into a Valkey 9 or newer";
    } else {
      reason = "the running server reads RDB files only up to version " + std::to_string(rdbWrittenBy(live)) +
               " and will refuse to start with the backup's: restore into a server at least as new";
    }
    return {{Risk::High, "redis", change, reason}};
  }
  if (crossing) {
    return {{Risk::Low, "redis", change,
             "Redis and Valkey share the RDB format up to 11, and the running server reads this one; "
             "check that the application needs no commands only one of them has"}};
  }
  if (backup.version != live.version) {
    return {{Risk::Low, "redis", change, "the RDB format is readable by the running server"}};
  }
  return {};
}

}  // namespace agentchat
