// Compose v2 syntax: profiles are understood; include, extends and the !reset / !override merge
// tags are refused with the file, the line and what to do, never read past.
#include <gmock/gmock.h>

#include "compose/stack.hpp"
#include "compose_fixture.hpp"

using compose_test::ComposeDir;
using ::testing::HasSubstr;

namespace {

class ComposeV2Syntax : public ComposeDir {};

const char* kProfiled = R"(services:
  mysql:
    image: mysql:8.0
  phpmyadmin:
    image: phpmyadmin
    profiles: [debug]
  worker:
    image: agentchat/worker
    profiles: ["jobs", "all"]
    volumes: [worker_data:/data]
volumes:
  worker_data:
)";

dockerapi::ContainerInfo containerOf(const std::string& service) {
  dockerapi::ContainerInfo c;
  c.id = service + "-id";
  c.name = "chat-" + service + "-1";
  c.status = "running";
  c.running = true;
  c.labels = {{compose::kProjectLabel, "chat"}, {compose::kServiceLabel, service}};
  return c;
}

}  // namespace

TEST_F(ComposeV2Syntax, ServicesWithProfilesAreEnabledOnlyByAnActiveProfile) {
  auto project = loadText(kProfiled);
  EXPECT_TRUE(project.services.at("mysql").enabled);
  EXPECT_FALSE(project.services.at("phpmyadmin").enabled);
  EXPECT_FALSE(project.services.at("worker").enabled);
  EXPECT_EQ(project.services.at("worker").profiles, (std::vector<std::string>{"jobs", "all"}));

  project = loadText(kProfiled, {{"COMPOSE_PROFILES", "debug, jobs"}});
  EXPECT_TRUE(project.services.at("phpmyadmin").enabled);
  EXPECT_TRUE(project.services.at("worker").enabled);

  project = loadText(kProfiled, {{"COMPOSE_PROFILES", "*"}});
  EXPECT_TRUE(project.services.at("phpmyadmin").enabled);
}

TEST_F(ComposeV2Syntax, ComposeProfilesMayComeFromDotenvOrTheLoadOptions) {
  write(".env", "COMPOSE_PROFILES=jobs\n");
  auto project = loadText(kProfiled);
  EXPECT_TRUE(project.services.at("worker").enabled);
  EXPECT_FALSE(project.services.at("phpmyadmin").enabled);

  auto o = options();
  o.profiles = {"debug"};
  project = compose::load(o);
  EXPECT_TRUE(project.services.at("phpmyadmin").enabled);
}

TEST_F(ComposeV2Syntax, AnInactiveProfiledServiceIsLeftOutOfTheStackUnlessItHasContainers) {
  auto project = loadText(kProfiled);
  compose::EngineView view;
  view.containers = {containerOf("mysql")};
  auto stack = compose::buildStack(project, view);
  EXPECT_TRUE(stack.services.count("mysql"));
  EXPECT_FALSE(stack.services.count("phpmyadmin"));
  EXPECT_FALSE(stack.services.count("worker"));
  EXPECT_TRUE(stack.volumes.at("worker_data").mountedBy.empty());

  // Started earlier with --profile jobs: its data is part of the backup though the profile is off now.
  view.containers.push_back(containerOf("worker"));
  stack = compose::buildStack(project, view);
  ASSERT_TRUE(stack.services.count("worker"));
  EXPECT_EQ(stack.services.at("worker").containers.size(), 1u);
  EXPECT_EQ(stack.volumes.at("worker_data").mountedBy.size(), 1u);
}

TEST_F(ComposeV2Syntax, ProfilesMustBeAList) {
  EXPECT_THAT(errorOfText("services:\n  a:\n    image: x\n    profiles: debug\n"),
              HasSubstr("docker-compose.yml:4: services.a.profiles: must be a list"));
}

TEST_F(ComposeV2Syntax, IncludeIsRefusedNamingFileLineAndWhatToDo) {
  write("other.yml", "services:\n  redis:\n    image: redis:7\n");
  std::string error = errorOfText("include:\n  - other.yml\nservices:\n  mysql:\n    image: mysql:8.0\n");
  EXPECT_THAT(error, HasSubstr("docker-compose.yml:2: include: is not supported"));
  EXPECT_THAT(error, HasSubstr("-f"));
  EXPECT_THAT(error, HasSubstr("docker compose config"));
}

TEST_F(ComposeV2Syntax, ExtendsIsRefusedInEitherForm) {
  std::string error = errorOfText(
      "services:\n  base:\n    image: mysql:8.0\n  mysql:\n    extends: base\n    ports: ['3306']\n");
  EXPECT_THAT(error, HasSubstr("docker-compose.yml:5: services.mysql.extends: is not supported"));
  write("common.yml", "services:\n  db:\n    image: mysql:8.0\n");
  error = errorOfText("services:\n  mysql:\n    extends:\n      file: common.yml\n      service: db\n");
  EXPECT_THAT(error, HasSubstr("services.mysql.extends: is not supported"));
  EXPECT_THAT(error, HasSubstr("docker compose config"));
}

TEST_F(ComposeV2Syntax, ResetAndOverrideTagsAreRefusedInAnyFile) {
  write("docker-compose.yml",
        "services:\n  mysql:\n    image: mysql:8.0\n    volumes: [data:/var/lib/mysql]\n"
        "volumes:\n  data:\n");
  write("override.yml", "services:\n  mysql:\n    volumes: !reset []\n");
  EXPECT_THAT(errorOf({"docker-compose.yml", "override.yml"}),
              HasSubstr("override.yml:3: services.mysql.volumes: the merge tag !reset is not supported"));
  write("override.yml", "services:\n  mysql:\n    environment: !override\n      A: b\n");
  EXPECT_THAT(errorOf({"docker-compose.yml", "override.yml"}),
              HasSubstr("services.mysql.environment: the merge tag !override is not supported"));
}

TEST_F(ComposeV2Syntax, OrdinaryTagsAndQuotedValuesStillLoad) {
  auto project = loadText("services:\n  mysql:\n    image: \"mysql:8.0\"\n    command: !!str mysqld\n");
  EXPECT_EQ(project.services.at("mysql").image, "mysql:8.0");
}
