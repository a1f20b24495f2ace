#include "compose/roles.hpp"

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

Role detectRole(const std::string& image, const std::map<std::string, std::string>& environment,
                const std::vector<std::string>& command, const std::optional<std::string>& settingsRole,
                const std::optional<std::string>& labelRole) {
  for (const auto& override : {labelRole, settingsRole}) {
    if (override) {
      if (auto role = parseRole(*override)) return *role;
    }
  }
  std::string base = imageBaseName(image);
  auto has = [&base](const char* word) { return base.find(word) != std::string::npos; };
  if (has("mysql") || has("mariadb") || has("percona")) return Role::Mysql;
  if (has("redis") || has("valkey")) return Role::Redis;
  if (has("postgres")) return Role::Postgres;
  for (const auto& [key, value] : environment) {
    if (key.starts_with("MYSQL_") || key.starts_with("MARIADB_")) return Role::Mysql;
  }
  for (const auto& [key, value] : environment) {
    if (key.starts_with("POSTGRES_")) return Role::Postgres;
  }
  for (const auto& word : command) {
    if (word.find("redis-server") != std::string::npos || word.find("valkey-server") != std::string::npos) {
      return Role::Redis;
    }
  }
  return Role::App;
}

}  // namespace compose
