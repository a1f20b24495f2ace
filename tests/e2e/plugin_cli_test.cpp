// The plugin as users run it: installed in a cli-plugins directory and invoked by the real docker
// CLI (every docker client on this machine: Debian's 20.10 and any newer one on PATH).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "e2e_support.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> dockerClients() {
  std::vector<std::string> clients;
  for (const char* candidate : {"/usr/local/bin/docker", "/usr/bin/docker"}) {
    if (::access(candidate, X_OK) == 0) clients.push_back(candidate);
  }
  return clients;
}

class PluginCli : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = fs::temp_directory_path() / e2e::uniqueName("agentchat-e2e-dockercfg");
    fs::create_directories(config_ / "cli-plugins");
    fs::create_symlink(fs::absolute(e2e::pluginPath()), config_ / "cli-plugins" / "docker-agentchat");
    clients_ = dockerClients();
    ASSERT_FALSE(clients_.empty()) << "no docker CLI installed";
  }
  void TearDown() override { fs::remove_all(config_); }

  e2e::ProcessResult docker(const std::string& client, std::vector<std::string> args,
                            std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), client);
    env["DOCKER_CONFIG"] = config_.string();
    return e2e::runProcess(args, env);
  }

  fs::path config_;
  std::vector<std::string> clients_;
};

}  // namespace

TEST_F(PluginCli, MetadataIsWhatTheDockerCliExpects) {
  auto direct = e2e::runProcess({e2e::pluginPath(), "docker-cli-plugin-metadata"});
  ASSERT_EQ(direct.exitCode, 0);
  auto metadata = nlohmann::json::parse(direct.out);
  EXPECT_EQ(metadata["SchemaVersion"], "0.1.0");
  for (const auto& client : clients_) {
    auto listed = docker(client, {"--help"});
    EXPECT_NE(listed.out.find("agentchat*"), std::string::npos) << client << " does not list the plugin:\n"
                                                                << listed.out << listed.err;
    EXPECT_EQ(listed.err.find("invalid"), std::string::npos) << client << ": " << listed.err;
  }
}

TEST_F(PluginCli, VersionThroughTheDockerCli) {
  REQUIRE_ENGINE(engine);
  for (const auto& client : clients_) {
    auto result = docker(client, {"agentchat", "version"});
    EXPECT_EQ(result.exitCode, 0) << client << ": " << result.err;
    EXPECT_NE(result.out.find("docker-agentchat 0."), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("negotiated"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find(engine.version().engineVersion), std::string::npos) << result.out;
  }
}

TEST_F(PluginCli, HonoursDockersGlobalFlagsBeforeItsName) {
  REQUIRE_ENGINE(engine);
  for (const auto& client : clients_) {
    auto result =
        docker(client, {"-H", "unix:///var/run/docker.sock", "-l", "warn", "agentchat", "version", "--json"});
    ASSERT_EQ(result.exitCode, 0) << client << ": " << result.err;
    auto json = nlohmann::json::parse(result.out);
    EXPECT_EQ(json["endpoint"]["source"], "--host");
    EXPECT_EQ(json["negotiatedApiVersion"], engine.apiVersion().str());

    auto debug = docker(client, {"-D", "agentchat", "version"});
    EXPECT_EQ(debug.exitCode, 0);
    EXPECT_NE(debug.err.find("GET /_ping"), std::string::npos)
        << "-D should turn on debug logging: " << debug.err;
  }
}

TEST_F(PluginCli, UsesANamedDockerContext) {
  REQUIRE_ENGINE(engine);
  for (const auto& client : clients_) {
    std::string name = e2e::uniqueName("e2e-ctx");
    auto created =
        docker(client, {"context", "create", name, "--docker", "host=unix:///var/run/docker.sock"});
    ASSERT_EQ(created.exitCode, 0) << created.err;
    auto result = docker(client, {"--context", name, "agentchat", "version", "--json"});
    ASSERT_EQ(result.exitCode, 0) << client << ": " << result.err;
    auto json = nlohmann::json::parse(result.out);
    EXPECT_EQ(json["endpoint"]["context"], name);
    EXPECT_EQ(json["endpoint"]["address"], "unix:///var/run/docker.sock");
    // Also as the current context recorded in config.json.
    ASSERT_EQ(docker(client, {"context", "use", name}).exitCode, 0);
    auto current =
        e2e::runProcess({e2e::pluginPath(), "version", "--json"}, {{"DOCKER_CONFIG", config_.string()}});
    ASSERT_EQ(current.exitCode, 0) << current.err;
    EXPECT_EQ(nlohmann::json::parse(current.out)["endpoint"]["context"], name);
    docker(client, {"context", "use", "default"});
  }
}

TEST_F(PluginCli, HelpWorksBothWays) {
  for (const auto& client : clients_) {
    auto help = docker(client, {"help", "agentchat"});
    EXPECT_EQ(help.exitCode, 0) << client << ": " << help.err;
    EXPECT_NE(help.out.find("Usage: docker agentchat"), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("version"), std::string::npos);
    auto flag = docker(client, {"agentchat", "--help"});
    EXPECT_EQ(flag.exitCode, 0);
    EXPECT_NE(flag.out.find("Exit codes"), std::string::npos);
    auto sub = docker(client, {"help", "agentchat", "version"});
    EXPECT_NE(sub.out.find("docker agentchat version"), std::string::npos) << sub.out;
  }
}

TEST_F(PluginCli, EngineDownIsAClearErrorWithExitCode3) {
  for (const auto& client : clients_) {
    auto result = docker(client, {"-H", "unix:///tmp/agentchat-no-engine.sock", "agentchat", "version"});
    EXPECT_EQ(result.exitCode, 3) << client << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("cannot reach the Docker engine at unix:///tmp/agentchat-no-engine.sock"),
              std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("Is the Docker engine running?"), std::string::npos);
  }
}

TEST_F(PluginCli, StandaloneBinaryAndUsageErrors) {
  auto standalone = e2e::runProcess({e2e::pluginPath(), "--version"});
  EXPECT_EQ(standalone.exitCode, 0);
  EXPECT_NE(standalone.out.find("docker-agentchat version"), std::string::npos);
  auto unknown = e2e::runProcess({e2e::pluginPath(), "frobnicate"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos) << unknown.err;
  auto conflict = e2e::runProcess({e2e::pluginPath(), "--context", "x", "-H", "unix:///x", "version"});
  EXPECT_EQ(conflict.exitCode, 2);
  EXPECT_NE(conflict.err.find("either specify --host or --context"), std::string::npos) << conflict.err;
  auto ssh = e2e::runProcess({e2e::pluginPath(), "-H", "ssh://me@host", "version"});
  EXPECT_EQ(ssh.exitCode, 3);
  EXPECT_NE(ssh.err.find("not supported yet"), std::string::npos) << ssh.err;
}
