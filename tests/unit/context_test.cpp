#include "dockerapi/context.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dockerapi/errors.hpp"

using namespace dockerapi;
namespace fs = std::filesystem;

namespace {

class ContextResolution : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = fs::temp_directory_path() / ("agentchat-ctx-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(config_);
    fs::create_directories(config_);
    env_ = {{"HOME", "/nonexistent-home"}, {"DOCKER_CONFIG", config_.string()}};
  }
  void TearDown() override { fs::remove_all(config_); }

  static void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  // The docker CLI stores a context under the sha256 of its name; "remote" hashes to this.
  fs::path remoteMeta() const {
    return config_ /
           "contexts/meta/b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a/meta.json";
  }
  void addRemoteContext(const std::string& host) {
    write(remoteMeta(), R"({"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":")" + host +
                            R"(","SkipTLSVerify":false}}})");
  }

  fs::path config_;
  Environ env_;
};

}  // namespace

TEST_F(ContextResolution, DefaultsToTheLocalSocket) {
  auto resolved = resolveEndpoint({}, env_);
  EXPECT_EQ(resolved.endpoint.display(), "unix:///var/run/docker.sock");
  EXPECT_EQ(resolved.contextName, "default");
}

TEST_F(ContextResolution, HostFlagBeatsEnvironmentAndConfig) {
  addRemoteContext("tcp://10.1.1.1:2375");
  write(config_ / "config.json", R"({"currentContext":"remote"})");
  env_["DOCKER_HOST"] = "unix:///env.sock";
  env_["DOCKER_CONTEXT"] = "remote";
  ConnectionOptions options;
  options.host = "unix:///flag.sock";
  auto resolved = resolveEndpoint(options, env_);
  EXPECT_EQ(resolved.endpoint.display(), "unix:///flag.sock");
  EXPECT_EQ(resolved.source, "--host");
}

TEST_F(ContextResolution, ContextFlagReadsTheContextStore) {
  addRemoteContext("tcp://10.1.1.1:2375");
  env_["DOCKER_HOST"] = "unix:///env.sock";  // --context wins over DOCKER_HOST
  ConnectionOptions options;
  options.context = "remote";
  auto resolved = resolveEndpoint(options, env_);
  EXPECT_EQ(resolved.endpoint.display(), "tcp://10.1.1.1:2375");
  EXPECT_EQ(resolved.contextName, "remote");
  EXPECT_FALSE(resolved.endpoint.tls);
}

TEST_F(ContextResolution, HostAndContextTogetherConflict) {
  ConnectionOptions options;
  options.context = "remote";
  options.host = "unix:///x.sock";
  EXPECT_THROW(resolveEndpoint(options, env_), EngineError);
}

TEST_F(ContextResolution, DockerHostBeatsDockerContextAndCurrentContext) {
  addRemoteContext("tcp://10.1.1.1:2375");
  write(config_ / "config.json", R"({"currentContext":"remote"})");
  env_["DOCKER_HOST"] = "tcp://127.0.0.1:2999";
  env_["DOCKER_CONTEXT"] = "remote";
  auto resolved = resolveEndpoint({}, env_);
  EXPECT_EQ(resolved.endpoint.display(), "tcp://127.0.0.1:2999");
  EXPECT_EQ(resolved.source, "DOCKER_HOST");
}

TEST_F(ContextResolution, DockerContextBeatsCurrentContext) {
  addRemoteContext("tcp://10.1.1.1:2375");
  write(config_ / "config.json", R"({"currentContext":"missing"})");
  env_["DOCKER_CONTEXT"] = "remote";
  EXPECT_EQ(resolveEndpoint({}, env_).endpoint.display(), "tcp://10.1.1.1:2375");
}

TEST_F(ContextResolution, CurrentContextFromConfigJson) {
  addRemoteContext("unix:///remote.sock");
  write(config_ / "config.json", R"({"auths":{},"currentContext":"remote"})");
  auto resolved = resolveEndpoint({}, env_);
  EXPECT_EQ(resolved.endpoint.display(), "unix:///remote.sock");
  EXPECT_NE(resolved.source.find("config.json"), std::string::npos);
}

TEST_F(ContextResolution, ConfigFlagOverridesDockerConfig) {
  fs::path other = config_ / "other";
  write(other / "config.json", R"({"currentContext":"default"})");
  ConnectionOptions options;
  options.configDir = other.string();
  EXPECT_EQ(dockerConfigDir(options, env_), other.string());
  EXPECT_EQ(dockerConfigDir({}, env_), config_.string());
  EXPECT_EQ(dockerConfigDir({}, {{"HOME", "/home/u"}}), "/home/u/.docker");
}

TEST_F(ContextResolution, MissingContextSaysWhereItLooked) {
  ConnectionOptions options;
  options.context = "staging";
  try {
    resolveEndpoint(options, env_);
    FAIL() << "no error";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    std::string text = e.what();
    EXPECT_NE(text.find("\"staging\""), std::string::npos);
    EXPECT_NE(text.find("docker context ls"), std::string::npos);
  }
}

TEST_F(ContextResolution, ContextTlsMaterialIsUsed) {
  addRemoteContext("tcp://docker.example:2376");
  fs::path tls =
      config_ / "contexts/tls/b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a/docker";
  write(tls / "ca.pem", "ca");
  write(tls / "cert.pem", "cert");
  write(tls / "key.pem", "key");
  ConnectionOptions options;
  options.context = "remote";
  auto endpoint = resolveEndpoint(options, env_).endpoint;
  EXPECT_TRUE(endpoint.tls);
  EXPECT_TRUE(endpoint.tlsVerify);
  EXPECT_EQ(endpoint.tlsFiles.caFile, (tls / "ca.pem").string());
  EXPECT_EQ(endpoint.tlsFiles.keyFile, (tls / "key.pem").string());
  EXPECT_EQ(endpoint.baseUrl(), "https://docker.example:2376");
}

TEST_F(ContextResolution, TlsVerifyFromEnvironmentWithCertPath) {
  fs::path certs = config_ / "certs";
  write(certs / "ca.pem", "ca");
  write(certs / "cert.pem", "cert");
  write(certs / "key.pem", "key");
  env_["DOCKER_HOST"] = "tcp://docker.example:2376";
  env_["DOCKER_TLS_VERIFY"] = "1";
  env_["DOCKER_CERT_PATH"] = certs.string();
  auto endpoint = resolveEndpoint({}, env_).endpoint;
  EXPECT_TRUE(endpoint.tls);
  EXPECT_TRUE(endpoint.tlsVerify);
  EXPECT_EQ(endpoint.tlsFiles.certFile, (certs / "cert.pem").string());
}

TEST_F(ContextResolution, TlsFlagsWithoutVerify) {
  ConnectionOptions options;
  options.host = "tcp://h:2376";
  options.tls = true;
  options.tlsCert = "/my/cert.pem";
  auto endpoint = resolveEndpoint(options, env_).endpoint;
  EXPECT_TRUE(endpoint.tls);
  EXPECT_FALSE(endpoint.tlsVerify);
  EXPECT_EQ(endpoint.tlsFiles.certFile, "/my/cert.pem");
}
