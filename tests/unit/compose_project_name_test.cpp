#include "compose/project_name.hpp"

#include "compose_fixture.hpp"

using compose::normalizeProjectName;
using compose::validateProjectName;
using compose_test::ComposeDir;

TEST(ComposeProjectName, NormalisesLikeCompose) {
  EXPECT_EQ(normalizeProjectName("My Project.Dir"), "myprojectdir");
  EXPECT_EQ(normalizeProjectName("__AgentChat-2"), "agentchat-2");
  EXPECT_EQ(normalizeProjectName("-_-x_y-z"), "x_y-z");
  EXPECT_EQ(normalizeProjectName("2024.backup"), "2024backup");
  EXPECT_EQ(normalizeProjectName("数据"), "");
  EXPECT_EQ(normalizeProjectName("caf\xc3\xa9"), "caf");
}

TEST(ComposeProjectName, ExplicitNamesAreLowercasedThenValidated) {
  EXPECT_EQ(validateProjectName("Prod_1", "-p"), "prod_1");
  EXPECT_EQ(validateProjectName("9lives", "-p"), "9lives");
  for (const char* bad : {"-x", "_x", "", "a b", "a.b", "ä"}) {
    EXPECT_THROW(validateProjectName(bad, "-p"), compose::Error) << bad;
  }
}

TEST(ComposeProjectName, InvalidNameMessageNamesItsOrigin) {
  try {
    validateProjectName("bad name!", "-p");
    FAIL();
  } catch (const compose::Error& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "-p: invalid project name \"bad name!\": it must contain only lowercase letters, digits, dashes and "
        "underscores, and start with a letter or digit");
  }
}

class ComposeProjectNamePrecedence : public ComposeDir {
 protected:
  void SetUp() override {
    ComposeDir::SetUp();
    write("docker-compose.yml", "name: From-File\nservices:\n  web:\n    image: nginx\n");
  }
};

TEST_F(ComposeProjectNamePrecedence, DashPBeatsEverything) {
  write(".env", "COMPOSE_PROJECT_NAME=dotenv\n");
  auto o = options({}, {{"COMPOSE_PROJECT_NAME", "env"}});
  o.projectName = "CLI";
  EXPECT_EQ(compose::load(o).name, "cli");
}

TEST_F(ComposeProjectNamePrecedence, EnvironmentBeatsDotenvBeatsNameKey) {
  write(".env", "COMPOSE_PROJECT_NAME=dotenv\n");
  EXPECT_EQ(load({}, {{"COMPOSE_PROJECT_NAME", "env"}}).name, "env");
  EXPECT_EQ(load().name, "dotenv");
  write(".env", "");
  EXPECT_EQ(load().name, "from-file");
  EXPECT_EQ(load({}, {{"COMPOSE_PROJECT_NAME", ""}}).name, "from-file");  // empty counts as unset
}

TEST_F(ComposeProjectNamePrecedence, DirectoryNameIsTheLastResort) {
  write("docker-compose.yml", "services:\n  web:\n    image: nginx\n");
  EXPECT_EQ(load().name, "mystackdir");
}

TEST_F(ComposeProjectNamePrecedence, NameKeyIsInterpolatedAndTheLastFileWins) {
  write("docker-compose.yml", "name: ${STACK:-base}\nservices:\n  web:\n    image: nginx\n");
  write("prod.yml", "name: prod-${STACK}\n");
  EXPECT_EQ(load({"docker-compose.yml"}).name, "base");
  EXPECT_EQ(load({"docker-compose.yml", "prod.yml"}, {{"STACK", "X"}}).name, "prod-x");
}

TEST_F(ComposeProjectNamePrecedence, InvalidNameKeyNamesFileAndLine) {
  write("docker-compose.yml", "services:\n  web:\n    image: nginx\nname: not valid\n");
  EXPECT_EQ(errorOf().substr(0, 54), "docker-compose.yml:4: name: invalid project name \"not ");
  EXPECT_EQ(errorOf({}, {{"COMPOSE_PROJECT_NAME", "-x"}}).substr(0, 50),
            "COMPOSE_PROJECT_NAME: invalid project name \"-x\": i");
}

TEST_F(ComposeProjectNamePrecedence, VolumeNamesFollowTheProjectName) {
  write("docker-compose.yml",
        "services:\n  db:\n    image: mysql\n    volumes: [data:/var/lib/mysql]\nvolumes:\n  data:\n");
  EXPECT_EQ(load().volumes.at("data").name, "mystackdir_data");
  auto o = options();
  o.projectName = "prod";
  EXPECT_EQ(compose::load(o).volumes.at("data").name, "prod_data");
}
