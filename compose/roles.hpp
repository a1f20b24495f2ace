#pragma once
// What a service is, for backup purposes: a database we dump, a cache we snapshot, or an app.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace compose {

enum class Role { Mysql, Redis, Postgres, App, None };

const char* roleName(Role role);
std::optional<Role> parseRole(const std::string& name);

// Precedence: the container label agentchat.role, then x-agentchat role, then detection from the
// image (mysql, mariadb, percona / redis, valkey / postgres), the environment (MYSQL_*, MARIADB_*,
// POSTGRES_*) and the command (redis-server).
Role detectRole(const std::string& image, const std::map<std::string, std::string>& environment,
                const std::vector<std::string>& command, const std::optional<std::string>& settingsRole,
                const std::optional<std::string>& labelRole);

// "docker.io/library/mariadb:11@sha256:..." -> "mariadb"
std::string imageBaseName(const std::string& image);

}  // namespace compose
