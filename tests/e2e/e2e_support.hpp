#pragma once
// Shared by the end-to-end tests: the stack brought up by tests/stack/up.sh, the real engine,
// and small helpers to run processes and make scratch containers.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"

namespace e2e {

// KEY=VALUE lines written by tests/stack/up.sh (PROJECT, MYSQL_CONTAINER, ...).
const std::map<std::string, std::string>& stackState();
std::string stack(const std::string& key);

// The engine at the default endpoint (or DOCKER_HOST). In CI an engine that does not answer is a
// failure; elsewhere the test is skipped with a loud message. Use through REQUIRE_ENGINE().
dockerapi::Engine* engineOrNull(std::string& whyNot);

std::string pluginPath();  // the built docker-agentchat
// The compose command the tests use: AGENTCHAT_TEST_COMPOSE split at spaces (default docker-compose,
// v1; the modern test bed sets compose v2's binary).
std::vector<std::string> composeCommand();
// The command that runs redis-cli, or valkey-cli where only that exists, with `args`.
std::vector<std::string> redisCli(const std::vector<std::string>& args);
// The fixture stack's compose files (COMPOSE_FILES, in order).
std::vector<std::string> composeFiles();
// The plugin on the fixture's project: -p PROJECT --project-directory DIR -f FILE... ARGS...
struct ProcessResult;
ProcessResult runPluginOnStack(const std::vector<std::string>& args);
std::string sourceDir();

struct ProcessResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};
// Runs argv (no shell) with extra environment entries, capturing stdout and stderr.
ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {});

std::string uniqueName(const std::string& prefix);

// Part `part` of backup `id` in the local repository `repo` as one .zst file at `to`, for stock
// tools: a whole part as stored, a chunked one (a new repository's default) as its checked blobs
// back to back.
void partAsZstFile(const std::string& repo, const std::string& project, const std::string& id,
                   const std::string& part, const std::string& to);

// A started container from the test app image with the given mounts; removed (with force) at scope end.
class ScratchContainer {
 public:
  ScratchContainer(dockerapi::Engine& engine, std::vector<dockerapi::MountSpec> mounts,
                   const std::string& image = "agentchat-test/app:e2e");
  ~ScratchContainer();
  const std::string& id() const { return id_; }
  // Runs a shell command inside; fails the test on a non-zero exit.
  std::string sh(const std::string& script);

 private:
  dockerapi::Engine& engine_;
  std::string id_;
};

// A named volume removed at scope end.
class ScratchVolume {
 public:
  explicit ScratchVolume(dockerapi::Engine& engine);
  ~ScratchVolume();
  const std::string& name() const { return name_; }

 private:
  dockerapi::Engine& engine_;
  std::string name_;
};

// The modern test bed's engine (its socket URL) and compose v2, as tests/run.sh exports them in
// AGENTCHAT_E2E_ENGINE26 and AGENTCHAT_E2E_COMPOSE_V2; false saying why when unset. Use through
// REQUIRE_MODERN_BED().
bool modernBed(std::string& host, std::string& compose, std::string& whyNot);

}  // namespace e2e

#define REQUIRE_ENGINE(engineVar)                                                   \
  std::string engineWhyNot_;                                                        \
  dockerapi::Engine* engineVar##Ptr_ = ::e2e::engineOrNull(engineWhyNot_);          \
  if (engineVar##Ptr_ == nullptr) {                                                 \
    if (std::getenv("CI") != nullptr) FAIL() << engineWhyNot_;                      \
    GTEST_SKIP() << "\n*** SKIPPED: no Docker engine: " << engineWhyNot_ << " ***"; \
  }                                                                                 \
  [[maybe_unused]] dockerapi::Engine& engineVar = *engineVar##Ptr_

// A test that moves a stack onto the modern bed: fails in CI without it, else skipped loudly.
#define REQUIRE_MODERN_BED(host, compose)                                             \
  std::string host, compose, modernWhyNot_;                                           \
  if (!::e2e::modernBed(host, compose, modernWhyNot_)) {                              \
    if (std::getenv("CI") != nullptr) FAIL() << modernWhyNot_;                        \
    GTEST_SKIP() << "\n*** SKIPPED: no modern test bed: " << modernWhyNot_ << " ***"; \
  }
