// The modern test bed (issue #15): Engine 26 with compose v2 beside the machine's Engine 20.10.
// tests/run.sh starts it (tests/modern/engine26.sh), loads the images and runs these with:
//   ModernMigrate.*: the default engine (20.10, compose v1) as the source; AGENTCHAT_E2E_ENGINE26 (its
//     socket URL) and AGENTCHAT_E2E_COMPOSE_V2 (compose v2's binary) for the target;
//   ModernCompat.*: DOCKER_HOST = Engine 26, AGENTCHAT_TEST_COMPOSE = compose v2, and the trixie
//     images (MariaDB 11.8, Redis 8.0) in AGENTCHAT_*_IMAGE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "dockerapi/context.hpp"
#include "dockerapi/http_engine.hpp"
#include "e2e_support.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// (c) A compose v1 project on Engine 20.10 moves to Engine 26, where compose v2 brings it up in the
// written directory with identical data and adopts the volumes the plugin created.
TEST(ModernMigrate, FromEngine2010WithComposeV1ToEngine26WithComposeV2) {
  REQUIRE_ENGINE(engine);
  REQUIRE_MODERN_BED(host, compose);
  dockerapi::ConnectionOptions options;
  options.host = host;
  dockerapi::HttpEngine target(dockerapi::resolveEndpoint(options, dockerapi::processEnviron()).endpoint);
  ASSERT_GE(target.apiVersion().minor, 45) << "not the modern engine";

  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.secrets.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  stack.seed();
  auto before = stack.fingerprint();
  fs::path dir = stack.repo().parent_path() / "on-engine26";
  auto migrate =
      stack.plugin({"migrate", "--to-host", host, "--target-dir", dir.string(), "--yes", "--json"});
  ASSERT_EQ(migrate.exitCode, 0) << migrate.out << migrate.err;
  EXPECT_TRUE(json::parse(migrate.out)["identical"].get<bool>());
  for (const auto& v : target.listVolumes({{"label", {"com.docker.compose.project=" + stack.project()}}}))
    EXPECT_EQ(v.labels.count("com.docker.compose.config-hash"), 0u) << v.name;

  e2e::RestoreStack moved({stack.project(),
                           dir,
                           {"docker-compose.prod.yml", "docker-compose.secrets.yml"},
                           {{"DOCKER_HOST", host}, {"AGENTCHAT_TEST_COMPOSE", compose}}},
                          target);
  auto up = moved.compose({"up", "-d"});
  ASSERT_EQ(up.exitCode, 0) << up.err;
  EXPECT_THAT(up.out + up.err, Not(HasSubstr("already exists but was not created by Docker Compose")));
  EXPECT_THAT(up.out + up.err, Not(HasSubstr("was created for project")));
  ASSERT_TRUE(moved.waitReady());
  e2e::expectSameData(before, moved.fingerprint());
  // compose v2 names the containers project-service-1 and the plugin finds them by their labels.
  EXPECT_THAT(target.inspectContainer(moved.container("mysql")).name,
              HasSubstr(stack.project() + "-mysql-1"));
  // status finds every service of the v2 project and reaches both databases (their health checks
  // may still say "starting": that is a WARNING, not a failure).
  auto status = moved.plugin({"status", "--json"}, {{"DOCKER_HOST", host}});
  EXPECT_LE(status.exitCode, 1) << status.out << status.err;
  std::map<std::string, std::string> checks;
  const json report = json::parse(status.out);
  for (const auto& c : report["checks"])
    checks[c["check"].get<std::string>()] = c["status"].get<std::string>();
  for (const auto* name : {"service mysql", "service redis", "service backend", "mysql alive", "redis ping"})
    EXPECT_NE(checks[name], "CRITICAL") << name << ": " << status.out;
  EXPECT_EQ(checks["mysql alive"], "OK") << status.out;
  EXPECT_EQ(checks["redis ping"], "OK") << status.out;
}

// (d) A backup of MariaDB 11.8 / Redis 8.0 against the same project running MariaDB 10.11 / Redis
// 7.0: Redis 7.0 cannot load RDB 12 and MariaDB would be downgraded a major version. compat rates
// it high and restore refuses it without --force, changing nothing. Against Valkey 8.1 too.
TEST(ModernCompat, ANewerDatabaseBackupAgainstOlderServersIsHighRiskAndRefused) {
  REQUIRE_ENGINE(engine);
  ASSERT_GE(engine.apiVersion().minor, 45) << "ModernCompat runs on the modern engine (DOCKER_HOST)";
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.secrets.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  EXPECT_THAT(stack.redis({"INFO", "server"}), HasSubstr("redis_version:8."));
  EXPECT_THAT(stack.mysql("SELECT VERSION()"), HasSubstr("11.8"));
  std::string id = stack.seedAndBackUp();
  ASSERT_FALSE(id.empty());

  // The same project again, on other servers (an overlay of tests/stack).
  auto upWith = [&](const char* overlay) {
    EXPECT_EQ(stack.compose({"down", "-v"}).exitCode, 0);
    auto argv = e2e::composeCommand();
    argv.insert(argv.end(), {"-p", stack.project(), "--project-directory", stack.dir().string()});
    for (const auto* f :
         {"docker-compose.yml", "docker-compose.prod.yml", "docker-compose.secrets.yml", overlay})
      argv.insert(argv.end(), {"-f", (stack.dir() / f).string()});
    argv.insert(argv.end(), {"up", "-d"});
    auto up = e2e::runProcess(argv);
    EXPECT_EQ(up.exitCode, 0) << up.err;
    return up.exitCode == 0 && stack.waitReady();
  };
  ASSERT_TRUE(upWith("docker-compose.bookworm.yml"));
  EXPECT_THAT(stack.redis({"INFO", "server"}), HasSubstr("redis_version:7.0"));
  auto older = stack.fingerprint();

  auto compat = stack.plugin({"compat", id, "--json"});
  EXPECT_THAT(compat.out + compat.err, HasSubstr("high")) << compat.out << compat.err;
  EXPECT_THAT(compat.out, HasSubstr("redis"));
  EXPECT_THAT(compat.out, HasSubstr("mysql"));
  auto restore = stack.plugin({"restore", id, "--yes"});
  EXPECT_EQ(restore.exitCode, 1) << restore.err;
  EXPECT_THAT(restore.err, HasSubstr("high-risk"));
  EXPECT_THAT(restore.err, HasSubstr("--force"));
  e2e::expectSameData(older, stack.fingerprint());

  // Valkey 8.1 as the cache: it reads RDB up to 11 and refuses Redis 8's 12, whatever its
  // redis_version (7.2.4) says.
  ASSERT_TRUE(upWith("docker-compose.valkey.yml"));
  auto valkey = stack.plugin({"compat", id, "--json"});
  EXPECT_THAT(valkey.out, HasSubstr("(RDB 12) -> Valkey 8.1")) << valkey.out << valkey.err;
  EXPECT_THAT(valkey.out + valkey.err, HasSubstr("high")) << valkey.out;
  EXPECT_EQ(stack.plugin({"restore", id, "--yes", "--only", "redis"}).exitCode, 1);
}
