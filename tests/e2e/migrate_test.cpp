// migrate to a second real engine (tests/engine2.sh): the stack comes up there with identical data;
// an engine that goes away mid-transfer leaves the source running and untouched; a target too small
// or without the stack's images fails the checks with nothing created.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_support.hpp"
#include "restore_stack.hpp"
#include "second_engine.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

std::vector<std::string> projectVolumes(dockerapi::Engine& engine, const std::string& project) {
  std::vector<std::string> out;
  for (const auto& v : engine.listVolumes({{"label", {"com.docker.compose.project=" + project}}}))
    out.push_back(v.name);
  return out;
}

}  // namespace

// The root password comes from a compose secret (MYSQL_ROOT_PASSWORD_FILE), as in production: the
// stand-in on the target has no such file, so the login is read on the source and passed on.
TEST(Migrate, MovesTheStackToAnotherEngineWithIdenticalDataEvenAfterAFailedFirstTry) {
  REQUIRE_ENGINE(engine);
  e2e::SecondEngine second;
  auto started = second.start();
  ASSERT_EQ(started.exitCode, 0) << started.out << started.err;
  auto target = second.engine();
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.secrets.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  stack.seed();
  auto before = stack.fingerprint();
  fs::path dir = stack.repo().parent_path() / "on-target";

  // First try: the target engine stops while the source is stopped for the copy.
  // The proxy in front of the target holds the first volume the copy creates there (after the
  // checks' space probe, a volume created and removed).
  std::string through;
  auto failed = second.stopWhileHeld(
      R"(^POST .*/volumes/create$)", {R"(^DELETE .*/volumes/)"}, [&](const std::string& proxyHost) {
        through = proxyHost;
        return stack.plugin({"migrate", "--to-host", proxyHost, "--target-dir", dir.string(), "--yes"});
      });
  EXPECT_EQ(failed.exitCode, 1) << failed.err;
  EXPECT_THAT(failed.err, HasSubstr("cannot reach the Docker engine at " + through));
  EXPECT_THAT(failed.err, HasSubstr("The source stack runs as before"));
  EXPECT_TRUE(stack.allRunning());
  EXPECT_FALSE(fs::exists(dir));  // no half-written project directory either
  e2e::expectSameData(before, stack.fingerprint());

  // The engine is back: what the failed try left there is named; removed, the migration goes through.
  ASSERT_EQ(second.start().exitCode, 0);
  for (const auto& v : projectVolumes(*target, stack.project())) {
    EXPECT_THAT(failed.err, HasSubstr(v));
    target->removeVolume(v, true);
  }
  fs::remove_all(dir);
  auto migrate =
      stack.plugin({"migrate", "--to-host", second.host, "--target-dir", dir.string(), "--yes", "--json"});
  ASSERT_EQ(migrate.exitCode, 0) << migrate.out << migrate.err;
  auto result = json::parse(migrate.out);
  EXPECT_TRUE(result["identical"].get<bool>());
  EXPECT_EQ(result["volumes"].size(), 3u);
  auto audit = stack.auditLines();
  ASSERT_EQ(audit.size(), 2u);  // the failed try and this one
  EXPECT_EQ(audit[0]["outcome"], "failed");
  EXPECT_EQ(audit[1]["command"], "migrate");
  EXPECT_EQ(audit[1]["identical"], true);
  EXPECT_THAT(migrate.err, HasSubstr("OK   target space"));
  EXPECT_TRUE(stack.allRunning());
  e2e::expectSameData(before, stack.fingerprint());

  // On the target, compose in the written directory brings the stack up with the same data.
  e2e::RestoreStack moved({stack.project(),
                           dir,
                           {"docker-compose.prod.yml", "docker-compose.secrets.yml"},
                           {{"DOCKER_HOST", second.host}}},
                          *target);
  auto up = moved.compose({"up", "-d"});
  ASSERT_EQ(up.exitCode, 0) << up.err;
  ASSERT_TRUE(moved.waitReady());
  e2e::expectSameData(before, moved.fingerprint());
}

TEST(Migrate, ATargetTooSmallOrWithoutTheImagesFailsTheChecksWithNothingCreated) {
  REQUIRE_ENGINE(engine);
  e2e::SecondEngine second;
  second.env["ENGINE2_VOLUMES_TMPFS"] = "32m";  // MariaDB's files alone take more
  auto started = second.start();
  ASSERT_EQ(started.exitCode, 0) << started.out << started.err;
  auto target = second.engine();
  ASSERT_EQ(e2e::runProcess({"docker", "-H", second.host, "rmi", "agentchat-test/app:e2e"}).exitCode, 0);
  // The knowledge bucket's endpoint is the source host's loopback, which the target cannot reach.
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.objects.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::ofstream(stack.dir() / "objects.credentials")
      << "[kb]\naws_access_key_id = a\naws_secret_access_key = b\n";
  fs::path dir = stack.repo().parent_path() / "on-target";

  auto migrate = stack.plugin({"migrate", "--to-host", second.host, "--target-dir", dir.string(), "--yes"});
  EXPECT_EQ(migrate.exitCode, 1);
  EXPECT_THAT(migrate.out, HasSubstr("WARN objects knowledge"));
  EXPECT_THAT(migrate.out, HasSubstr("the target does not reach it: cannot reach 127.0.0.1 port 9"))
      << migrate.out;
  EXPECT_THAT(migrate.out, HasSubstr("FAIL target space"));
  EXPECT_THAT(migrate.out, HasSubstr("not enough"));
  EXPECT_THAT(migrate.out, HasSubstr("FAIL target images"));
  EXPECT_THAT(migrate.out, HasSubstr("agentchat-test/app:e2e"));
  EXPECT_THAT(migrate.err, HasSubstr("nothing was changed"));
  EXPECT_TRUE(projectVolumes(*target, stack.project()).empty());
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(stack.allRunning());
}

// The target's containers reach a bucket when a helper there can open a connection to its
// endpoint: here a listener on the engine's bridge gateway, with this engine standing in as the
// target (its other checks fail: the stack's volumes are there already).
TEST(Migrate, TheChecksSayWhetherTheTargetHostReachesTheStacksBucket) {
  REQUIRE_ENGINE(engine);
  auto gateway = e2e::runProcess({"docker", "-H", engine.endpointName(), "network", "inspect", "bridge", "-f",
                                  "{{(index .IPAM.Config 0).Gateway}}"});
  ASSERT_EQ(gateway.exitCode, 0) << gateway.err;
  std::string address = gateway.out.substr(0, gateway.out.find('\n'));
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in bound{};
  bound.sin_family = AF_INET;
  ASSERT_EQ(::inet_pton(AF_INET, address.c_str(), &bound.sin_addr), 1) << address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&bound), sizeof bound), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t length = sizeof bound;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &length);
  std::string endpoint = "http://" + address + ":" + std::to_string(ntohs(bound.sin_port));

  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.objects.yml"});
  std::ofstream(stack.dir() / ".env", std::ios::app)
      << "AGENTCHAT_TEST_OBJECTS_ENDPOINT=" << endpoint << "\n";
  std::ofstream(stack.dir() / "objects.credentials")
      << "[kb]\naws_access_key_id = a\naws_secret_access_key = b\n";
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  auto migrate = stack.plugin({"migrate", "--to-host", engine.endpointName(), "--target-dir",
                               (stack.repo().parent_path() / "on-target").string(), "--yes"});
  ::close(listener);
  EXPECT_EQ(migrate.exitCode, 1);  // the volumes are there
  EXPECT_THAT(migrate.out, HasSubstr("OK   objects knowledge"));
  EXPECT_THAT(migrate.out,
              HasSubstr("the target reaches " + address + ":" + std::to_string(ntohs(bound.sin_port))))
      << migrate.out;
  EXPECT_TRUE(stack.allRunning());
}

TEST(Migrate, OnlineMovesTheDatabasesAsDumpsWhileTheSourceKeepsRunning) {
  REQUIRE_ENGINE(engine);
  e2e::SecondEngine second;
  auto started = second.start();
  ASSERT_EQ(started.exitCode, 0) << started.out << started.err;
  auto target = second.engine();
  e2e::RestoreStack stack(engine, {"docker-compose.prod.yml", "docker-compose.secrets.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  stack.seed();
  auto before = stack.fingerprint();
  auto startedAt = [&] {
    std::string out;
    for (const char* s : {"mysql", "redis", "backend"})
      out += engine.inspectContainer(stack.container(s)).raw["State"]["StartedAt"].get<std::string>() + " ";
    return out;
  };
  auto startedBefore = startedAt();
  fs::path dir = stack.repo().parent_path() / "on-target";

  auto migrate = stack.plugin({"migrate", "--to-host", second.host, "--target-dir", dir.string(),
                               "--consistency", "online", "--yes", "--json"});
  ASSERT_EQ(migrate.exitCode, 0) << migrate.out << migrate.err;
  auto result = json::parse(migrate.out);
  EXPECT_TRUE(result["identical"].get<bool>()) << migrate.out;
  EXPECT_GT(result["bytes"].get<std::uint64_t>(), 10000u);  // the dump and the RDB count too
  EXPECT_EQ(startedAt(), startedBefore);                    // nothing on the source was stopped
  EXPECT_TRUE(stack.allRunning());

  e2e::RestoreStack moved({stack.project(),
                           dir,
                           {"docker-compose.prod.yml", "docker-compose.secrets.yml"},
                           {{"DOCKER_HOST", second.host}}},
                          *target);
  auto up = moved.compose({"up", "-d"});
  ASSERT_EQ(up.exitCode, 0) << up.err;
  ASSERT_TRUE(moved.waitReady());
  e2e::expectSameData(before, moved.fingerprint());
}
