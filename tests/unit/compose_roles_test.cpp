#include "compose/roles.hpp"

#include <gtest/gtest.h>

using compose::Role;

namespace {

struct RoleCase {
  std::string image;
  std::map<std::string, std::string> env;
  std::vector<std::string> command;
  std::optional<std::string> setting, label;
  Role expected;
};

std::string describe(const RoleCase& c) {
  std::string text = "image=" + c.image;
  for (const auto& [k, v] : c.env) text += " " + k;
  for (const auto& w : c.command) text += " [" + w + "]";
  return text;
}

}  // namespace

TEST(ComposeRoles, DetectionTable) {
  const std::vector<RoleCase> cases = {
      // by image: the repository's last path component, any registry, tag or digest
      {"mysql:8.0", {}, {}, {}, {}, Role::Mysql},
      {"docker.io/library/mariadb:11@sha256:abc", {}, {}, {}, {}, Role::Mysql},
      {"percona/percona-server:8", {}, {}, {}, {}, Role::Mysql},
      {"percona:5.7", {}, {}, {}, {}, Role::Mysql},
      {"bitnami/mysql", {}, {}, {}, {}, Role::Mysql},
      {"agentchat-test/mariadb11:e2e", {}, {}, {}, {}, Role::Mysql},
      {"registry.local:5000/team/MySQL:8", {}, {}, {}, {}, Role::Mysql},
      {"redis:7-alpine", {}, {}, {}, {}, Role::Redis},
      {"valkey/valkey:8", {}, {}, {}, {}, Role::Redis},
      {"redis/redis-stack-server", {}, {}, {}, {}, Role::Redis},
      {"postgres:16", {}, {}, {}, {}, Role::Postgres},
      {"postgis/postgis:16-3.4", {}, {}, {}, {}, Role::Postgres},
      {"agentchat/backend:2.2", {}, {}, {}, {}, Role::App},
      {"", {}, {}, {}, {}, Role::App},
      // tools named after a database are not the database
      {"oliver006/redis_exporter", {}, {}, {}, {}, Role::App},
      {"prom/mysqld-exporter", {}, {}, {}, {}, Role::App},
      {"rediscommander/redis-commander", {}, {}, {}, {}, Role::App},
      {"mysql/mysql-router", {}, {}, {}, {}, Role::App},
      {"redis/redisinsight", {}, {}, {}, {}, Role::App},
      {"bitnami/redis-sentinel", {}, {}, {}, {}, Role::App},
      {"phpmyadmin", {{"PMA_HOST", "db"}, {"MYSQL_ROOT_PASSWORD", "x"}}, {}, {}, {}, Role::App},
      // by environment
      {"registry.local:5000/custom-db", {{"MARIADB_ROOT_PASSWORD", "x"}}, {}, {}, {}, Role::Mysql},
      {"custom", {{"MYSQL_ROOT_PASSWORD", "x"}}, {}, {}, {}, Role::Mysql},
      {"custom", {{"POSTGRES_PASSWORD", "x"}}, {}, {}, {}, Role::Postgres},
      // ... but an app that connects to a database names its host
      {"agentchat/backend", {{"MYSQL_HOST", "mysql"}, {"MYSQL_PASSWORD", "x"}}, {}, {}, {}, Role::App},
      {"web", {{"POSTGRES_HOST", "db"}, {"POSTGRES_PASSWORD", "x"}}, {}, {}, {}, Role::App},
      // by command
      {"my/cache", {}, {"redis-server", "--port", "6380"}, {}, {}, Role::Redis},
      {"my/cache", {}, {"/usr/local/bin/valkey-server"}, {}, {}, Role::Redis},
      {"alpine", {}, {"sh", "-c", "exec redis-server --appendonly yes"}, {}, {}, Role::Redis},
      {"alpine", {}, {"redis-cli", "ping"}, {}, {}, Role::App},
      // overrides: label > x-agentchat > detection; unknown override names are ignored
      {"mysql:8", {}, {}, std::string("app"), {}, Role::App},
      {"agentchat/backend", {}, {}, std::string("app"), std::string("mysql"), Role::Mysql},
      {"redis", {}, {}, std::string("none"), {}, Role::None},
      {"redis", {}, {}, {}, std::string("postgres"), Role::Postgres},
      {"redis", {}, {}, std::string("bogus"), {}, Role::Redis},
      {"redis", {}, {}, std::string("app"), std::string("bogus"), Role::App},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(compose::roleName(compose::detectRole(c.image, c.env, c.command, c.setting, c.label)),
              std::string(compose::roleName(c.expected)))
        << describe(c);
  }
}

TEST(ComposeRoles, ImageBaseName) {
  EXPECT_EQ(compose::imageBaseName("registry.local:5000/a/b:tag"), "b");
  EXPECT_EQ(compose::imageBaseName("mariadb@sha256:abc"), "mariadb");
  EXPECT_EQ(compose::imageBaseName("localhost:5000/redis"), "redis");
  EXPECT_EQ(compose::imageBaseName("mysql"), "mysql");
}

TEST(ComposeRoles, NamesRoundTrip) {
  for (Role role : {Role::Mysql, Role::Redis, Role::Postgres, Role::App, Role::None}) {
    EXPECT_EQ(compose::parseRole(compose::roleName(role)), role);
  }
  EXPECT_FALSE(compose::parseRole("cache"));
  EXPECT_FALSE(compose::parseRole("MySQL"));
}
