#include "compose/roles.hpp"

#include <cctype>
#include <initializer_list>

namespace compose {

const char* roleName(Role role) {
  switch (role) {
    case Role::Mysql:
      return "mysql";
    case Role::Redis:
      return "redis";
    case Role::Postgres:
      return "postgres";
    case Role::App:
      return "app";
    case Role::None:
      return "none";
  }
  return "app";
}

std::optional<Role> parseRole(const std::string& name) {
  for (Role role : {Role::Mysql, Role::Redis, Role::Postgres, Role::App, Role::None}) {
    if (name == roleName(role)) return role;
  }
  return std::nullopt;
}

std::string imageBaseName(const std::string& image) {
  std::string name = image.substr(0, image.find('@'));
  auto slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  auto colon = name.find(':');
  if (colon != std::string::npos) name = name.substr(0, colon);
  return name;
}

namespace {

// Image names that are tools around a database rather than the database: exporters, admin UIs,
// proxies. "oliver006/redis_exporter" must not be taken for Redis.
bool isTool(const std::string& base) {
  // Long words are recognised anywhere ("redisinsight"); short ones only as a whole word between
  // - _ . (so "ui" does not match "build").
  static const char* const kToolParts[] = {"exporter", "commander", "insight", "admin", "router",
                                           "operator", "sentinel",  "bouncer", "proxy"};
  static const char* const kToolWords[] = {"ui", "web", "cli", "client", "backup", "pool"};
  for (const char* part : kToolParts) {
    if (base.find(part) != std::string::npos) return true;
  }
  std::size_t start = 0;
  while (start <= base.size()) {
    std::size_t end = base.find_first_of("-_.", start);
    if (end == std::string::npos) end = base.size();
    std::string word = base.substr(start, end - start);
    for (const char* tool : kToolWords) {
      if (word == tool) return true;
    }
    start = end + 1;
  }
  return false;
}

bool contains(const std::string& text, const char* word) {
  return text.find(word) != std::string::npos;
}

// An app that talks to a database carries MYSQL_HOST / POSTGRES_HOST (and often the same
// user/password variables the server has); the server itself never needs to be told a host.
bool isClientEnvironment(const std::map<std::string, std::string>& env) {
  for (const char* key :
       {"MYSQL_HOST", "MARIADB_HOST", "POSTGRES_HOST", "PGHOST", "DB_HOST", "DATABASE_HOST"}) {
    if (env.count(key)) return true;
  }
  return false;
}

bool hasPrefix(const std::map<std::string, std::string>& env, std::initializer_list<const char*> prefixes) {
  for (const auto& [key, value] : env) {
    for (const char* prefix : prefixes) {
      if (key.starts_with(prefix)) return true;
    }
  }
  return false;
}

// A command word that starts redis-server (also inside `sh -c "exec redis-server ..."`).
bool runsRedisServer(const std::string& word) {
  std::size_t start = 0;
  while (start < word.size()) {
    std::size_t end = word.find_first_of(" \t\n;&|", start);
    if (end == std::string::npos) end = word.size();
    std::string token = word.substr(start, end - start);
    token = token.substr(token.rfind('/') == std::string::npos ? 0 : token.rfind('/') + 1);
    if (token == "redis-server" || token == "valkey-server") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

Role detectRole(const std::string& image, const std::map<std::string, std::string>& environment,
                const std::vector<std::string>& command, const std::optional<std::string>& settingsRole,
                const std::optional<std::string>& labelRole) {
  for (const auto& override : {labelRole, settingsRole}) {
    if (override) {
      if (auto role = parseRole(*override)) return *role;
    }
  }
  // The repository's last path component, in lower case: "mariadb11", "percona-server", "valkey".
  std::string base = imageBaseName(image);
  for (auto& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // A tool's image says what it is, whatever database variables it is given (phpmyadmin takes
  // MYSQL_ROOT_PASSWORD too).
  if (isTool(base)) return Role::App;
  if (contains(base, "mysql") || contains(base, "mariadb") || contains(base, "percona")) return Role::Mysql;
  if (contains(base, "redis") || contains(base, "valkey")) return Role::Redis;
  if (contains(base, "postgres") || contains(base, "postgis") || contains(base, "timescaledb"))
    return Role::Postgres;
  for (const auto& word : command) {
    if (runsRedisServer(word)) return Role::Redis;
  }
  if (!isClientEnvironment(environment)) {
    if (hasPrefix(environment, {"MYSQL_", "MARIADB_"})) return Role::Mysql;
    if (hasPrefix(environment, {"POSTGRES_"})) return Role::Postgres;
  }
  return Role::App;
}

}  // namespace compose
