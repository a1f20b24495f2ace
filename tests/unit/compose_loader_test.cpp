#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compose/error.hpp"
#include "compose/loader.hpp"

namespace fs = std::filesystem;
using namespace compose;

namespace {

class ComposeProject : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("agentchat-compose-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name()) /
           "My Stack.Dir";
    fs::remove_all(dir_.parent_path());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  Project loadWith(std::vector<std::string> files = {}, std::map<std::string, std::string> environ = {}) {
    LoadOptions options;
    options.files = std::move(files);
    options.cwd = dir_;
    options.environ = std::move(environ);
    return load(options);
  }
  std::string errorOf(std::vector<std::string> files = {}) {
    try {
      loadWith(std::move(files));
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
  fs::path dir_;
};

const char* kBase = R"(services:
  mysql:
    image: mysql:8
    command: --default-authentication-plugin=mysql_native_password --log-bin
    environment:
      MYSQL_ROOT_PASSWORD: ${ROOT_PW:-changeme}
      MYSQL_DATABASE: agentchat
    volumes:
      - mysql_data:/var/lib/mysql
      - ./mysql/init:/docker-entrypoint-initdb.d:ro
  redis:
    image: redis:7-alpine
    command: ["redis-server", "--appendonly", "no"]
    volumes:
      - type: volume
        source: redis_data
        target: /data
  backend:
    build: .
    depends_on: [mysql, redis]
    environment:
      - LOG_LEVEL=info
      - FROM_ENV
    volumes:
      - /srv/uploads:/app/uploads
      - cache:/tmp/cache:ro
      - /anonymous
volumes:
  mysql_data:
  redis_data:
    name: agentchat-redis-data
  cache:
    external: true
)";

}  // namespace

TEST_F(ComposeProject, DefaultFileAndDirectoryName) {
  write("docker-compose.yml", kBase);
  Project p = loadWith({}, {{"FROM_ENV", "yes"}});
  EXPECT_EQ(p.name, "mystackdir");
  EXPECT_EQ(p.files, (std::vector<fs::path>{dir_ / "docker-compose.yml"}));
  ASSERT_EQ(p.services.size(), 3u);
  const Service& mysql = p.services.at("mysql");
  EXPECT_EQ(mysql.environment.at("MYSQL_ROOT_PASSWORD"), "changeme");
  EXPECT_EQ(mysql.command,
            (std::vector<std::string>{"--default-authentication-plugin=mysql_native_password", "--log-bin"}));
  ASSERT_EQ(mysql.mounts.size(), 2u);
  EXPECT_EQ(mysql.mounts[0].type, Mount::Type::Volume);
  EXPECT_EQ(mysql.mounts[0].source, "mysql_data");
  EXPECT_EQ(mysql.mounts[1].type, Mount::Type::Bind);
  EXPECT_EQ(mysql.mounts[1].source, (dir_ / "mysql/init").string());
  EXPECT_TRUE(mysql.mounts[1].readOnly);
  EXPECT_EQ(p.services.at("backend").environment.at("FROM_ENV"), "yes");
  EXPECT_TRUE(p.services.at("backend").hasBuild);
  EXPECT_EQ(p.services.at("backend").dependsOn, (std::vector<std::string>{"mysql", "redis"}));
  EXPECT_EQ(p.services.at("backend").mounts[2].source, "");  // anonymous
  EXPECT_EQ(p.volumes.at("mysql_data").name, "mystackdir_mysql_data");
  EXPECT_EQ(p.volumes.at("redis_data").name, "agentchat-redis-data");
  EXPECT_TRUE(p.volumes.at("cache").external);
  EXPECT_EQ(p.volumes.at("cache").name, "cache");
}

TEST_F(ComposeProject, DiscoveryPrefersComposeYamlAndAddsOverride) {
  write("docker-compose.yml", "services: {old: {image: x}}\n");
  write("compose.yaml", "services: {web: {image: nginx, command: a}}\n");
  write("compose.override.yaml", "services: {web: {command: b}}\n");
  Project p = loadWith();
  EXPECT_EQ(p.files.size(), 2u);
  EXPECT_EQ(p.services.count("old"), 0u);
  EXPECT_EQ(p.services.at("web").command, std::vector<std::string>{"b"});
}

TEST_F(ComposeProject, NoComposeFileSaysWhatItTried) {
  std::string error = errorOf();
  EXPECT_NE(error.find("no compose file in"), std::string::npos) << error;
  EXPECT_NE(error.find("docker-compose.yml"), std::string::npos);
}

TEST_F(ComposeProject, MultipleFilesMergeByTheSpec) {
  write("docker-compose.yml", kBase);
  write("docker-compose.prod.yml", R"(services:
  mysql:
    environment:
      MYSQL_ROOT_PASSWORD: ${ROOT_PW}
      TZ: UTC
    volumes:
      - ./prod-init:/docker-entrypoint-initdb.d:ro
  redis:
    command: redis-server --appendonly yes
    labels: {tier: cache}
)");
  write(".env", "ROOT_PW=from-dotenv\n");
  Project p = loadWith({"docker-compose.yml", "docker-compose.prod.yml"});
  const Service& mysql = p.services.at("mysql");
  EXPECT_EQ(mysql.environment.at("MYSQL_ROOT_PASSWORD"), "from-dotenv");
  EXPECT_EQ(mysql.environment.at("MYSQL_DATABASE"), "agentchat");
  EXPECT_EQ(mysql.environment.at("TZ"), "UTC");
  ASSERT_EQ(mysql.mounts.size(), 2u);  // same target: replaced, not added
  EXPECT_EQ(mysql.mounts[1].source, (dir_ / "prod-init").string());
  EXPECT_EQ(p.services.at("redis").command,
            (std::vector<std::string>{"redis-server", "--appendonly", "yes"}));
  EXPECT_EQ(p.services.at("redis").labels.at("tier"), "cache");
  EXPECT_EQ(p.services.at("redis").mounts.size(), 1u);
}

TEST_F(ComposeProject, ProcessEnvironmentBeatsDotenv) {
  write("docker-compose.yml", kBase);
  write(".env", "ROOT_PW=from-dotenv\n");
  EXPECT_EQ(
      loadWith({}, {{"ROOT_PW", "from-env"}}).services.at("mysql").environment.at("MYSQL_ROOT_PASSWORD"),
      "from-env");
}

TEST_F(ComposeProject, ProjectNamePrecedence) {
  write("docker-compose.yml", std::string("name: from-file\n") + kBase);
  EXPECT_EQ(loadWith().name, "from-file");
  EXPECT_EQ(loadWith({}, {{"COMPOSE_PROJECT_NAME", "From_Env"}}).name, "from_env");
  LoadOptions options;
  options.cwd = dir_;
  options.projectName = "cli";
  options.environ = {{"COMPOSE_PROJECT_NAME", "env"}};
  EXPECT_EQ(load(options).name, "cli");
  options.projectName = "bad name!";
  EXPECT_THROW(load(options), Error);
}

TEST_F(ComposeProject, EnvFileAndEnvironmentOrder) {
  write("docker-compose.yml",
        "services:\n  app:\n    image: a\n    env_file: app.env\n    environment:\n      B: override\n");
  write("app.env", "A=1\nB=2\n");
  Project p = loadWith();
  EXPECT_EQ(p.services.at("app").environment.at("A"), "1");
  EXPECT_EQ(p.services.at("app").environment.at("B"), "override");
  write("docker-compose.yml", "services:\n  app:\n    image: a\n    env_file: missing.env\n");
  EXPECT_NE(errorOf().find("docker-compose.yml:4: services.app.env_file: env file"), std::string::npos)
      << errorOf();
}

TEST_F(ComposeProject, SecretsFromFilesAndTheirUses) {
  write("docker-compose.yml", R"(services:
  mysql:
    image: mysql
    environment: {MYSQL_ROOT_PASSWORD_FILE: /run/secrets/db_root}
    secrets: [db_root, {source: api_key, target: api.txt}]
secrets:
  db_root:
    file: ./secrets/db_root.txt
  api_key:
    environment: API_KEY
)");
  Project p = loadWith();
  EXPECT_EQ(p.secrets.at("db_root").file, (dir_ / "secrets/db_root.txt").string());
  EXPECT_EQ(p.secrets.at("api_key").environment, "API_KEY");
  ASSERT_EQ(p.services.at("mysql").secrets.size(), 2u);
  EXPECT_EQ(p.services.at("mysql").secrets[1].target, "api.txt");
  write("docker-compose.yml", "services:\n  a:\n    image: x\n    secrets: [nope]\n");
  EXPECT_NE(errorOf().find("refers to undefined secret nope"), std::string::npos) << errorOf();
}

TEST_F(ComposeProject, UndefinedVolumeIsAnError) {
  write("docker-compose.yml", "services:\n  db:\n    image: mysql\n    volumes: [data:/var/lib/mysql]\n");
  EXPECT_NE(errorOf().find("refers to undefined volume data"), std::string::npos) << errorOf();
}

TEST_F(ComposeProject, InterpolationErrorsNameFileLineAndKey) {
  write("docker-compose.prod.yml",
        "services:\n  redis:\n    image: redis\n    command: ${REDIS_CMD:?set REDIS_CMD}\n");
  EXPECT_EQ(
      errorOf({"docker-compose.prod.yml"}),
      "docker-compose.prod.yml:4: services.redis.command: required variable REDIS_CMD is missing a value: "
      "set REDIS_CMD");
}

TEST_F(ComposeProject, YamlSyntaxErrorNamesFileAndLine) {
  write("docker-compose.yml", "services:\n  a:\n    image: [unclosed\n");
  std::string error = errorOf();
  EXPECT_EQ(error.rfind("docker-compose.yml:", 0), 0u) << error;
  EXPECT_NE(error.find(": invalid YAML: "), std::string::npos) << error;
  write("docker-compose.yml", "services:\n  a:\n    image: x\n   bad: y\n");
  EXPECT_EQ(errorOf(), "docker-compose.yml:4: invalid YAML: end of map not found");
}

TEST_F(ComposeProject, AgentchatSettingsAreReadAndValidated) {
  write("docker-compose.yml", std::string(kBase) + R"(x-agentchat:
  repository: /backups
  retention: {keep_daily: 30, keep_weekly: 8}
  schedule: "02:00"
  roles: {backend: app}
  logs:
    backend: [/app/logs]
)");
  Project p = loadWith({}, {{"FROM_ENV", "1"}});
  EXPECT_EQ(p.agentchat.repository, "/backups");
  EXPECT_EQ(p.agentchat.retention.keepDaily, 30);
  EXPECT_EQ(p.agentchat.schedule, "02:00");
  EXPECT_EQ(p.services.at("backend").agentchat.role, "app");
  EXPECT_EQ(p.services.at("backend").agentchat.logs, std::vector<std::string>{"/app/logs"});
}

TEST_F(ComposeProject, UnknownAgentchatKeyNamesItsPath) {
  write("docker-compose.yml",
        "services:\n  a:\n    image: x\nx-agentchat:\n  retention:\n    keep_dayly: 3\n");
  EXPECT_EQ(
      errorOf(),
      "docker-compose.yml:6: x-agentchat.retention.keep_dayly: unknown key (known: keep_last, keep_daily, "
      "keep_weekly, keep_monthly)");
  write("docker-compose.yml", "services:\n  a:\n    image: x\n    x-agentchat:\n      role: databse\n");
  EXPECT_NE(errorOf().find(":5: services.a.x-agentchat.role: 'databse' is not one of"), std::string::npos)
      << errorOf();
  write("docker-compose.yml", "services:\n  a:\n    image: x\nx-agentchat:\n  schedule: 2am\n");
  EXPECT_NE(errorOf().find(":5: x-agentchat.schedule: must be a time of day"), std::string::npos)
      << errorOf();
  write("docker-compose.yml",
        "services:\n  a:\n    image: x\n    x-agentchat:\n      logs: [relative/path]\n");
  EXPECT_NE(errorOf().find("must be an absolute path"), std::string::npos) << errorOf();
}

TEST(ComposeShellSplit, HonoursQuotes) {
  EXPECT_EQ(shellSplit("redis-server --requirepass 'a b' --x \"c \\\"d\\\"\""),
            (std::vector<std::string>{"redis-server", "--requirepass", "a b", "--x", "c \"d\""}));
  EXPECT_EQ(shellSplit("  "), std::vector<std::string>{});
}
