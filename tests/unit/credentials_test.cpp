#include "compose/credentials.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

using namespace compose;

namespace {
ContainerFileReader files(std::map<std::string, std::string> contents) {
  return [contents](const std::string& path) {
    auto it = contents.find(path);
    if (it == contents.end()) throw std::runtime_error("no file " + path);
    return it->second;
  };
}
const ContainerFileReader noFiles = files({});
}  // namespace

TEST(MysqlLogin, RootPasswordFromEnvironment) {
  auto login =
      mysqlLogin({"PATH=/usr/bin", "MYSQL_ROOT_PASSWORD=s3cret", "MYSQL_DATABASE=agentchat"}, noFiles);
  ASSERT_TRUE(login);
  EXPECT_EQ(login->user, "root");
  EXPECT_EQ(login->password.reveal(), "s3cret");
  EXPECT_EQ(login->source, "MYSQL_ROOT_PASSWORD");
}

TEST(MysqlLogin, FileVariantIsReadInsideTheContainerAndTrimmed) {
  auto login = mysqlLogin({"MYSQL_ROOT_PASSWORD_FILE=/run/secrets/db_root"},
                          files({{"/run/secrets/db_root", "pw\n"}}));
  ASSERT_TRUE(login);
  EXPECT_EQ(login->password.reveal(), "pw");
  EXPECT_EQ(login->source, "MYSQL_ROOT_PASSWORD_FILE");
}

TEST(MysqlLogin, MariadbVariablesAndPrecedence) {
  EXPECT_EQ(mysqlLogin({"MARIADB_ROOT_PASSWORD=m"}, noFiles)->password.reveal(), "m");
  // An explicit value beats the _FILE form, and root beats the application user.
  auto login = mysqlLogin(
      {"MYSQL_USER=app", "MYSQL_PASSWORD=a", "MYSQL_ROOT_PASSWORD=r", "MYSQL_ROOT_PASSWORD_FILE=/nope"},
      noFiles);
  EXPECT_EQ(login->user, "root");
  EXPECT_EQ(login->password.reveal(), "r");
}

TEST(MysqlLogin, EmptyPasswordAndUserFallback) {
  auto empty = mysqlLogin({"MYSQL_ALLOW_EMPTY_PASSWORD=yes"}, noFiles);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->allowEmpty);
  EXPECT_TRUE(empty->password.empty());
  EXPECT_FALSE(mysqlLogin({"MYSQL_ALLOW_EMPTY_PASSWORD="}, noFiles));
  auto user =
      mysqlLogin({"MYSQL_RANDOM_ROOT_PASSWORD=1", "MARIADB_USER=app", "MARIADB_PASSWORD=apw"}, noFiles);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->user, "app");
  EXPECT_EQ(user->source, "MARIADB_PASSWORD");
  EXPECT_FALSE(mysqlLogin({"MYSQL_DATABASE=x"}, noFiles));
}

TEST(RedisLogin, RequirepassInCommandWithEnvironmentReference) {
  EXPECT_FALSE(redisLogin({}, {"redis-server", "--appendonly", "yes"}, noFiles));
  EXPECT_EQ(redisLogin({}, {"redis-server", "--requirepass", "pw"}, noFiles)->password.reveal(), "pw");
  EXPECT_EQ(redisLogin({}, {"redis-server", "--requirepass=pw2"}, noFiles)->password.reveal(), "pw2");
  auto shell = redisLogin({"REDIS_PASSWORD=fromenv"},
                          {"sh", "-c", "redis-server --requirepass $REDIS_PASSWORD"}, noFiles);
  ASSERT_TRUE(shell);
  EXPECT_EQ(shell->password.reveal(), "fromenv");
  EXPECT_EQ(redisLogin({"P=x"}, {"redis-server", "--requirepass", "${P}"}, noFiles)->password.reveal(), "x");
  EXPECT_EQ(
      redisLogin({"REDIS_PASSWORD_FILE=/s"}, {"redis-server"}, files({{"/s", "f\n"}}))->password.reveal(),
      "f");
}

TEST(PostgresLogin, UserDefaultsToPostgres) {
  auto login = postgresLogin({"POSTGRES_PASSWORD=p"}, noFiles);
  ASSERT_TRUE(login);
  EXPECT_EQ(login->user, "postgres");
  EXPECT_EQ(postgresLogin({"POSTGRES_USER=app", "POSTGRES_PASSWORD=p"}, noFiles)->user, "app");
  EXPECT_FALSE(postgresLogin({}, noFiles));
}

TEST(EnvValue, LastDefinitionWins) {
  EXPECT_EQ(envValue({"A=1", "A=2", "AB=3"}, "A"), "2");
  EXPECT_EQ(envValue({"A="}, "A"), "");
  EXPECT_FALSE(envValue({"AB=3"}, "A"));
}
