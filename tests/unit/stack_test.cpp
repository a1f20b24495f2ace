#include "compose/stack.hpp"

#include <gtest/gtest.h>

using namespace compose;

namespace {

Project agentchatProject() {
  Project p;
  p.name = "agentchat";
  p.workingDir = "/srv/agentchat";
  Service mysql;
  mysql.name = "mysql";
  mysql.image = "mysql:8";
  mysql.environment = {{"MYSQL_ROOT_PASSWORD", "x"}};
  mysql.mounts = {{Mount::Type::Volume, "mysql_data", "/var/lib/mysql", false},
                  {Mount::Type::Bind, "/srv/agentchat/mysql/init", "/docker-entrypoint-initdb.d", true}};
  Service redis;
  redis.name = "redis";
  redis.image = "redis:7";
  redis.command = {"redis-server", "--appendonly", "yes"};
  redis.mounts = {{Mount::Type::Volume, "redis_data", "/data", false}};
  Service backend;
  backend.name = "backend";
  backend.image = "agentchat/backend";
  backend.dependsOn = {"redis", "mysql"};
  p.services = {{"mysql", mysql}, {"redis", redis}, {"backend", backend}};
  p.volumes = {{"mysql_data", {"mysql_data", "agentchat_mysql_data", false, "local", {}}},
               {"redis_data", {"redis_data", "agentchat_redis_data", false, "local", {}}}};
  return p;
}

dockerapi::ContainerInfo container(const std::string& service, const std::string& status,
                                   const std::string& image) {
  dockerapi::ContainerInfo c;
  c.id = service + "-id";
  c.name = "agentchat-" + service + "-1";
  c.status = status;
  c.running = status == "running";
  c.image = image;
  c.imageId = "sha256:" + service;
  c.labels = {{kProjectLabel, "agentchat"}, {kServiceLabel, service}};
  return c;
}

}  // namespace

TEST(StackModel, FileViewOnlyWhenNoContainers) {
  Stack stack = buildStack(agentchatProject(), {});
  EXPECT_FALSE(stack.engineView);
  EXPECT_EQ(stack.services.at("mysql").role, Role::Mysql);
  EXPECT_EQ(stack.services.at("redis").role, Role::Redis);
  EXPECT_EQ(stack.services.at("backend").role, Role::App);
  EXPECT_FALSE(stack.volumes.at("mysql_data").exists);
  ASSERT_EQ(stack.volumes.at("mysql_data").mountedBy.size(), 1u);
  EXPECT_EQ(stack.volumes.at("mysql_data").mountedBy[0],
            (std::pair<std::string, std::string>{"mysql", "/var/lib/mysql"}));
  EXPECT_EQ(stack.services.at("mysql").binds.at(0).target, "/docker-entrypoint-initdb.d");
  EXPECT_EQ(stack.services.at("mysql").volumes.at(0).volumeName, "agentchat_mysql_data");
}

TEST(StackModel, EngineViewAddsContainersVolumesAndLabelRoles) {
  EngineView view;
  view.containers = {container("mysql", "running", "mysql:8"), container("redis", "exited", "redis:7"),
                     container("backend", "running", "agentchat/backend")};
  view.containers[2].labels[kRoleLabel] = "none";
  view.volumes = {{"agentchat_mysql_data", "local", "/var/lib/docker/volumes/x", "local", {{"a", "b"}}, {}}};
  Stack stack = buildStack(agentchatProject(), view);
  EXPECT_TRUE(stack.engineView);
  EXPECT_TRUE(stack.services.at("mysql").running());
  EXPECT_FALSE(stack.services.at("redis").running());
  EXPECT_EQ(stack.services.at("mysql").imageId, "sha256:mysql");
  EXPECT_EQ(stack.services.at("backend").role, Role::None);
  EXPECT_TRUE(stack.volumes.at("mysql_data").exists);
  EXPECT_EQ(stack.volumes.at("mysql_data").labels.at("a"), "b");
  EXPECT_FALSE(stack.volumes.at("redis_data").exists);
}

// Containers by compose's labels only: a `docker compose run` container of a service is not that
// service (v1 and v2 both write oneoff "True"); replicas in their number order, whatever the engine's.
TEST(StackModel, OneOffRunContainersAreNotTheServiceAndReplicasAreInOrder) {
  EngineView view;
  auto oneOff = container("mysql", "running", "mysql:8");
  oneOff.id = "run-id";
  oneOff.name = "agentchat-mysql-run-3f2a";
  oneOff.labels["com.docker.compose.oneoff"] = "True";
  auto second = container("backend", "running", "agentchat/backend");
  second.id = "backend-2";
  second.labels[kNumberLabel] = "2";
  auto first = container("backend", "running", "agentchat/backend");
  first.labels[kNumberLabel] = "1";
  view.containers = {oneOff, container("mysql", "running", "mysql:8"), second, first};
  view.containers[1].labels["com.docker.compose.oneoff"] = "False";
  Stack stack = buildStack(agentchatProject(), view);
  ASSERT_EQ(stack.services.at("mysql").containers.size(), 1u);
  EXPECT_EQ(stack.services.at("mysql").containers[0].id, "mysql-id");
  EXPECT_EQ(stack.oneOffs, std::vector<std::string>{"agentchat-mysql-run-3f2a"});
  ASSERT_EQ(stack.services.at("backend").containers.size(), 2u);
  EXPECT_EQ(stack.services.at("backend").containers[0].id, "backend-id");
  EXPECT_EQ(stack.services.at("backend").containers[1].id, "backend-2");
  // An exited one-off is not worth a word.
  view.containers[0].running = false;
  EXPECT_TRUE(buildStack(agentchatProject(), view).oneOffs.empty());
}

TEST(StackModel, StartOrderFollowsDependsOn) {
  Stack stack = buildStack(agentchatProject(), {});
  EXPECT_EQ(startOrder(stack), (std::vector<std::string>{"mysql", "redis", "backend"}));
}
