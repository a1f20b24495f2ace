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

// Precedence: the container label agentchat.role, then x-agentchat role (an unknown name in either
// is ignored), then detection: the image's last path component naming mysql, mariadb, percona /
// redis, valkey / postgres, postgis, timescaledb — but a tool such as "redis_exporter",
// "mysql-router" or "phpmyadmin" is an app whatever its environment; a redis-server or valkey-server command;
// MYSQL_* or MARIADB_* / POSTGRES_* variables, unless the environment also names a database host (MYSQL_HOST,
// POSTGRES_HOST, ...: a client, not a server). Everything else is an app.
Role detectRole(const std::string& image, const std::map<std::string, std::string>& environment,
                const std::vector<std::string>& command, const std::optional<std::string>& settingsRole,
                const std::optional<std::string>& labelRole);

// "docker.io/library/mariadb:11@sha256:..." -> "mariadb"
std::string imageBaseName(const std::string& image);

}  // namespace compose
