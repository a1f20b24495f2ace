#pragma once
// Database credentials taken from the container's own configuration (its environment and
// command), the way the official images read them — never from the user's command line.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compose/secret.hpp"

namespace compose {

// Reads a file inside the container (for the *_FILE variants). Throws if it cannot.
using ContainerFileReader = std::function<std::string(const std::string& path)>;

struct DatabaseLogin {
  std::string user;
  Secret password;  // empty with allowEmpty: log in without a password
  bool allowEmpty = false;
  std::string source;  // which variable it came from, e.g. "MYSQL_ROOT_PASSWORD_FILE" (never the value)
};

// MySQL/MariaDB: MYSQL_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD and their *_FILE forms, the
// allow-empty flags, then MYSQL_USER/MYSQL_PASSWORD (or MARIADB_*). nullopt when nothing is set.
std::optional<DatabaseLogin> mysqlLogin(const std::vector<std::string>& env,
                                        const ContainerFileReader& readFile);

// Redis: `--requirepass X` in the command (X may be $VAR / ${VAR} of the environment), then
// REDIS_PASSWORD / REDIS_PASSWORD_FILE. nullopt when Redis needs no password.
std::optional<DatabaseLogin> redisLogin(const std::vector<std::string>& env,
                                        const std::vector<std::string>& command,
                                        const ContainerFileReader& readFile);

// PostgreSQL: POSTGRES_USER (default postgres) with POSTGRES_PASSWORD(_FILE).
std::optional<DatabaseLogin> postgresLogin(const std::vector<std::string>& env,
                                           const ContainerFileReader& readFile);

// The value of NAME in a KEY=VALUE list, if present.
std::optional<std::string> envValue(const std::vector<std::string>& env, const std::string& name);

}  // namespace compose
