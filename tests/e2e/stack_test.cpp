// `inspect` and `status` against the real engine: the running AgentChat-shaped stack (with the
// production overlay), a stack whose containers are stopped, one with no containers at all, and a
// project that does not exist. And no password in any exec's arguments or in anything we print.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "e2e_support.hpp"

namespace {

using e2e::composeFiles;

// The plugin with the fixture's project: -p NAME -f FILE... --project-directory DIR ARGS...
e2e::ProcessResult plugin(const std::string& project, const std::vector<std::string>& files,
                          const std::vector<std::string>& args) {
  std::vector<std::string> argv{e2e::pluginPath(), "-p", project, "--project-directory",
                                e2e::stack("PROJECT_DIR")};
  for (const auto& f : files) argv.insert(argv.end(), {"-f", f});
  argv.insert(argv.end(), args.begin(), args.end());
  return e2e::runProcess(argv);
}

nlohmann::json checkNamed(const nlohmann::json& status, const std::string& name) {
  for (const auto& c : status["checks"]) {
    if (c["check"] == name) return c;
  }
  ADD_FAILURE() << "no check named " << name << " in " << status.dump(2);
  return {};
}

const nlohmann::json* service(const nlohmann::json& inspect, const std::string& name) {
  for (const auto& s : inspect["services"]) {
    if (s["name"] == name) return &s;
  }
  return nullptr;
}

// A second copy of the stack, created but never started, or started and then stopped; removed after.
class CreatedStack {
 public:
  explicit CreatedStack(bool startThenStop = false) : project_(e2e::uniqueName("agentchat-e2e-created")) {
    base_ = e2e::composeCommand();
    base_.insert(base_.end(), {"-p", project_, "--project-directory", e2e::stack("PROJECT_DIR")});
    for (const auto& f : composeFiles()) base_.insert(base_.end(), {"-f", f});
    if (startThenStop) {
      run({"up", "-d"});
      run({"stop", "-t", "3"});
    } else {
      run({"up", "--no-start"});
    }
  }
  ~CreatedStack() {
    auto argv = base_;
    argv.insert(argv.end(), {"down", "-v"});
    e2e::runProcess(argv);
  }
  const std::string& project() const { return project_; }

 private:
  void run(const std::vector<std::string>& extra) {
    auto command = base_;
    command.insert(command.end(), extra.begin(), extra.end());
    auto result = e2e::runProcess(command);
    EXPECT_EQ(result.exitCode, 0) << result.err;
  }

  std::string project_;
  std::vector<std::string> base_;
};

}  // namespace

TEST(StackInspect, RunningStackWithProductionOverlay) {
  REQUIRE_ENGINE(engine);
  std::string project = e2e::stack("PROJECT");
  auto result = plugin(project, composeFiles(), {"inspect", "--json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["project"], project);
  EXPECT_TRUE(json["engineView"].get<bool>());
  ASSERT_EQ(json["services"].size(), 3u);
  // Dependencies first.
  EXPECT_EQ(json["services"][2]["name"], "backend");
  const auto* mysql = service(json, "mysql");
  const auto* redis = service(json, "redis");
  const auto* backend = service(json, "backend");
  ASSERT_TRUE(mysql && redis && backend);
  EXPECT_EQ((*mysql)["role"], "mysql");
  EXPECT_EQ((*redis)["role"], "redis");
  EXPECT_EQ((*backend)["role"], "app");
  EXPECT_EQ((*mysql)["state"], "running");
  EXPECT_EQ((*mysql)["health"], "healthy");
  EXPECT_EQ((*mysql)["credentials"]["source"], "MYSQL_ROOT_PASSWORD");
  EXPECT_EQ((*mysql)["containers"][0]["id"], e2e::stack("MYSQL_CONTAINER"));
  EXPECT_TRUE((*mysql)["imageId"].get<std::string>().starts_with("sha256:"));
  EXPECT_EQ((*mysql)["binds"][0]["target"], "/docker-entrypoint-initdb.d");
  EXPECT_TRUE((*mysql)["binds"][0]["readOnly"].get<bool>());
  std::set<std::string> volumeNames;
  for (const auto& v : json["volumes"]) {
    volumeNames.insert(v["name"]);
    EXPECT_TRUE(v["exists"].get<bool>()) << v.dump();
    EXPECT_EQ(v["labels"]["com.docker.compose.project"], project);
  }
  EXPECT_EQ(volumeNames,
            (std::set<std::string>{project + "_app_data", project + "_mysql_data", project + "_redis_data"}));

  auto human = plugin(project, composeFiles(), {"inspect"});
  EXPECT_EQ(human.exitCode, 0);
  EXPECT_NE(human.out.find("covered by mysql's dump"), std::string::npos) << human.out;
}

TEST(StackStatus, RunningStackIsOkWithDatabaseFigures) {
  REQUIRE_ENGINE(engine);
  auto result = plugin(e2e::stack("PROJECT"), composeFiles(), {"status", "--json"});
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(result.exitCode, 0) << result.out << result.err;
  EXPECT_EQ(json["status"], "OK");
  EXPECT_EQ(checkNamed(json, "mysql alive")["status"], "OK");
  EXPECT_NE(checkNamed(json, "mysql alive")["detail"].get<std::string>().find("MariaDB"), std::string::npos);
  EXPECT_NE(checkNamed(json, "mysql connections")["detail"].get<std::string>().find("/"), std::string::npos);
  EXPECT_EQ(checkNamed(json, "redis ping")["status"], "OK");
  // The production overlay turned AOF on.
  EXPECT_NE(checkNamed(json, "redis persistence")["detail"].get<std::string>().find("AOF on"),
            std::string::npos);
  EXPECT_EQ(checkNamed(json, "service backend")["status"], "OK");
  EXPECT_EQ(checkNamed(json, "repository disk")["status"], "OK");

  auto human = plugin(e2e::stack("PROJECT"), composeFiles(), {"status"});
  EXPECT_EQ(human.exitCode, 0);
  EXPECT_NE(human.out.find("AGENTCHAT OK"), std::string::npos) << human.out;
}

TEST(StackStatus, NoPasswordInAnyExecArgumentOrOutput) {
  REQUIRE_ENGINE(engine);
  std::string password = e2e::stack("MYSQL_ROOT_PASSWORD");
  ASSERT_FALSE(password.empty());
  auto status = plugin(e2e::stack("PROJECT"), composeFiles(), {"-D", "status", "--json"});
  ASSERT_EQ(status.exitCode, 0) << status.err;
  auto inspect = plugin(e2e::stack("PROJECT"), composeFiles(), {"-D", "inspect", "--json"});
  ASSERT_EQ(inspect.exitCode, 0) << inspect.err;
  for (const auto* text : {&status.out, &status.err, &inspect.out, &inspect.err}) {
    EXPECT_EQ(text->find(password), std::string::npos) << "the password leaked into:\n" << *text;
  }
  // Every exec the plugin made, as the engine recorded it.
  std::regex execLine("exec ([0-9a-f]{64}) in");
  std::set<std::string> ids;
  for (std::sregex_iterator it(status.err.begin(), status.err.end(), execLine), end; it != end; ++it) {
    ids.insert((*it)[1]);
  }
  EXPECT_GE(ids.size(), 4u) << "expected the MySQL and Redis checks to exec: " << status.err;
  for (const auto& id : ids) {
    auto exec = engine.inspectExec(id);
    std::string recorded = exec["ProcessConfig"].dump();
    EXPECT_EQ(recorded.find(password), std::string::npos)
        << "exec " << id << " had the password: " << recorded;
  }
}

TEST(StackStatus, StoppedStackIsCriticalAndSaysWhy) {
  REQUIRE_ENGINE(engine);
  CreatedStack created;
  auto result = plugin(created.project(), composeFiles(), {"status", "--json"});
  EXPECT_EQ(result.exitCode, 2) << result.out << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["status"], "CRITICAL");
  EXPECT_EQ(checkNamed(json, "service mysql")["detail"], "created");

  auto inspect = plugin(created.project(), composeFiles(), {"inspect", "--json"});
  ASSERT_EQ(inspect.exitCode, 0) << inspect.err;
  auto model = nlohmann::json::parse(inspect.out);
  EXPECT_TRUE(model["engineView"].get<bool>());
  EXPECT_EQ((*service(model, "mysql"))["state"], "created");
}

TEST(StackStatus, StackStoppedWithComposeStopIsCritical) {
  REQUIRE_ENGINE(engine);
  CreatedStack stopped(/*startThenStop=*/true);
  auto result = plugin(stopped.project(), composeFiles(), {"status", "--json"});
  EXPECT_EQ(result.exitCode, 2) << result.out << result.err;
  auto json = nlohmann::json::parse(result.out);
  for (const char* name : {"service mysql", "service redis", "service backend"}) {
    EXPECT_EQ(checkNamed(json, name)["status"], "CRITICAL");
    EXPECT_EQ(checkNamed(json, name)["detail"], "exited") << name;
  }
  auto inspect = plugin(stopped.project(), composeFiles(), {"inspect", "--json"});
  ASSERT_EQ(inspect.exitCode, 0) << inspect.err;
  auto model = nlohmann::json::parse(inspect.out);
  EXPECT_EQ((*service(model, "redis"))["state"], "exited");
  for (const auto& v : model["volumes"]) EXPECT_TRUE(v["exists"].get<bool>()) << v.dump();
}

TEST(StackInspect, WithoutContainersShowsTheFileViewAndSaysSo) {
  REQUIRE_ENGINE(engine);
  std::string project = e2e::uniqueName("agentchat-e2e-absent");
  auto result = plugin(project, composeFiles(), {"inspect"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("compose files' view only"), std::string::npos) << result.out;
  auto json = nlohmann::json::parse(plugin(project, composeFiles(), {"inspect", "--json"}).out);
  EXPECT_FALSE(json["engineView"].get<bool>());
  for (const auto& v : json["volumes"]) EXPECT_FALSE(v["exists"].get<bool>());
  auto status = plugin(project, composeFiles(), {"status"});
  EXPECT_EQ(status.exitCode, 2);
  EXPECT_NE(status.out.find("no container"), std::string::npos) << status.out;
}

TEST(StackInspect, MariaDb11OverlayUsesMariadbVariables) {
  REQUIRE_ENGINE(engine);
  auto files = composeFiles();
  files.push_back(e2e::stack("PROJECT_DIR") + "/docker-compose.mariadb11.yml");
  auto result = plugin(e2e::uniqueName("agentchat-e2e-maria"), files, {"inspect", "--json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ((*service(json, "mysql"))["role"], "mysql");
  EXPECT_EQ((*service(json, "mysql"))["image"], "agentchat-test/mariadb11:e2e");
  EXPECT_FALSE((*service(json, "mysql"))["credentials"].is_null());
}

TEST(StackStatus, UnknownProjectIsUnknownWithExit3) {
  REQUIRE_ENGINE(engine);
  auto result = e2e::runProcess(
      {"sh", "-c", "cd / && exec \"$0\" -p agentchat-e2e-no-such-project status", e2e::pluginPath()});
  EXPECT_EQ(result.exitCode, 3) << result.out << result.err;
  EXPECT_NE(result.out.find("no compose project \"agentchat-e2e-no-such-project\""), std::string::npos)
      << result.out;
  auto inspect = e2e::runProcess(
      {"sh", "-c", "cd / && exec \"$0\" -p agentchat-e2e-no-such-project inspect", e2e::pluginPath()});
  EXPECT_EQ(inspect.exitCode, 4) << inspect.err;
  EXPECT_NE(inspect.err.find("no compose project"), std::string::npos) << inspect.err;
}

TEST(StackStatus, EngineDownIsUnknown) {
  auto result = e2e::runProcess({e2e::pluginPath(), "-H", "unix:///tmp/agentchat-no-engine.sock", "-p", "x",
                                 "--project-directory", e2e::stack("PROJECT_DIR"), "-f",
                                 e2e::stack("PROJECT_DIR") + "/docker-compose.yml", "status"});
  EXPECT_EQ(result.exitCode, 3) << result.out << result.err;
  EXPECT_NE(result.out.find("Is the Docker engine running?"), std::string::npos) << result.out;
}
