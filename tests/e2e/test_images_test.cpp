// The test images keep the official images' contracts the plugin relies on.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "dockerapi/exec.hpp"
#include "e2e_support.hpp"

using namespace dockerapi;

namespace {

// A database container from `image` with `env`, removed (with its anonymous volume) at scope end.
class DatabaseContainer {
 public:
  DatabaseContainer(Engine& engine, const std::string& image, std::vector<std::string> env,
                    std::vector<MountSpec> mounts = {})
      : engine_(engine), volume_(engine) {
    ContainerSpec spec;
    spec.name = e2e::uniqueName("agentchat-e2e-db");
    spec.image = image;
    spec.env = std::move(env);
    mounts.push_back({MountSpec::Type::Volume, volume_.name(), "/var/lib/mysql", false});
    spec.mounts = std::move(mounts);
    spec.cmd = {};  // the image's own CMD
    spec.labels = {{"io.agentchat.e2e", "db"}};
    id_ = engine.createContainer(spec);
    engine.startContainer(id_);
  }
  ~DatabaseContainer() {
    try {
      engine_.removeContainer(id_, true);
    } catch (...) {
    }
  }
  // Waits until `client` logs in as root with `password` (given through the environment) to the
  // final server: the entrypoint's temporary one (no networking) takes the password before its init
  // SQL has created the database.
  bool ready(const std::string& client, const std::string& password) {
    for (int i = 0; i < 120; ++i) {
      auto r = execCapture(
          engine_, id_,
          {{client, "-uroot", "-N", "-e", "SELECT @@skip_networking"}, {"MYSQL_PWD=" + password}, {}, {}});
      if (r.exitCode == 0 && r.out == "0\n") return true;
      if (!engine_.inspectContainer(id_).running) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return false;
  }
  const std::string& id() const { return id_; }

 private:
  Engine& engine_;
  e2e::ScratchVolume volume_;
  std::string id_;
};

}  // namespace

TEST(TestImages, Mariadb11ImageHasOnlyMariadbToolsAndMariadbVariables) {
  REQUIRE_ENGINE(engine);
  DatabaseContainer db(engine, "agentchat-test/mariadb11:e2e",
                       {"MARIADB_ROOT_PASSWORD=m11-Root!pw", "MARIADB_DATABASE=agentchat"});
  ASSERT_TRUE(db.ready("mariadb", "m11-Root!pw"));
  auto tools = execCapture(engine, db.id(),
                           {{"sh", "-c", "command -v mysqldump; command -v mariadb-dump"}, {}, {}, {}});
  EXPECT_EQ(tools.out, "/usr/bin/mariadb-dump\n");
  auto dbs = execCapture(engine, db.id(),
                         {{"mariadb", "-uroot", "-N", "-e", "SHOW DATABASES LIKE 'agentchat'"},
                          {"MYSQL_PWD=m11-Root!pw"},
                          {},
                          {}});
  EXPECT_EQ(dbs.out, "agentchat\n");
}

TEST(TestImages, MysqlImageReadsRootPasswordFile) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchVolume secrets(engine);
  {
    e2e::ScratchContainer writer(engine, {{MountSpec::Type::Volume, secrets.name(), "/run/secrets", false}});
    writer.sh("printf 'from-a-file\\n' > /run/secrets/root && chmod 0444 /run/secrets/root");
  }
  DatabaseContainer db(engine, "agentchat-test/mysql:e2e", {"MYSQL_ROOT_PASSWORD_FILE=/run/secrets/root"},
                       {{MountSpec::Type::Volume, secrets.name(), "/run/secrets", true}});
  ASSERT_TRUE(db.ready("mysql", "from-a-file"));
  auto tools = execCapture(engine, db.id(),
                           {{"sh", "-c", "command -v mysqldump && command -v mariadb-dump"}, {}, {}, {}});
  EXPECT_EQ(tools.exitCode, 0);
}

TEST(TestImages, MysqlImageRefusesToInitialiseWithoutAPassword) {
  REQUIRE_ENGINE(engine);
  DatabaseContainer db(engine, "agentchat-test/mysql:e2e", {});
  EXPECT_EQ(engine.waitContainer(db.id()), 1);
}

TEST(TestImages, RedisImageRunsAsRedisInData) {
  REQUIRE_ENGINE(engine);
  std::string redis = e2e::stack("REDIS_CONTAINER");
  auto user = execCapture(engine, redis, {{"sh", "-c", "ps -o user= -p 1"}, {}, {}, {}});
  EXPECT_EQ(user.out, "redis\n");
  auto dir = execCapture(engine, redis, {{"redis-cli", "CONFIG", "GET", "dir"}, {}, {}, {}});
  EXPECT_EQ(dir.out, "dir\n/data\n");
}

TEST(EngineApi, ContainerLifecyclePauseUnpauseStopWait) {
  REQUIRE_ENGINE(engine);
  e2e::ScratchContainer box(engine, {});
  engine.pauseContainer(box.id());
  EXPECT_TRUE(engine.inspectContainer(box.id()).paused);
  engine.unpauseContainer(box.id());
  EXPECT_FALSE(engine.inspectContainer(box.id()).paused);
  engine.stopContainer(box.id(), 1);
  EXPECT_FALSE(engine.inspectContainer(box.id()).running);
  EXPECT_NE(engine.waitContainer(box.id()), -1);
  engine.stopContainer(box.id(), 1);  // stopping a stopped container is fine (304)
  engine.startContainer(box.id());
  EXPECT_TRUE(engine.inspectContainer(box.id()).running);
}
