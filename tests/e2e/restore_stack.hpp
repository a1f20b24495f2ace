#pragma once
// A stack of its own for a restore test: tests/stack copied to a scratch directory (so restoring
// its config and bind mounts touches nobody else's), brought up by its up.sh, taken down with its
// volumes at the end. And a fingerprint of everything a restore must bring back.
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"
#include "e2e_support.hpp"

namespace e2e {

class RestoreStack {
 public:
  // `overlays`: extra compose files of tests/stack by name, e.g. "docker-compose.prod.yml".
  RestoreStack(dockerapi::Engine& engine, const std::vector<std::string>& overlays);
  // A stack that is not up yet: project files in `dir` (e.g. written by migrate) for `engine`,
  // reached by docker-compose through `env` (DOCKER_HOST; AGENTCHAT_TEST_COMPOSE picks the compose
  // binary). Taken down with its volumes at the end.
  struct Attach {
    std::string project;
    std::filesystem::path dir;
    std::vector<std::string> overlays;
    std::map<std::string, std::string> env;
  };
  RestoreStack(const Attach& attach, dockerapi::Engine& engine);
  ~RestoreStack();
  RestoreStack(const RestoreStack&) = delete;
  RestoreStack& operator=(const RestoreStack&) = delete;

  bool up() const { return up_; }
  const std::string& upOutput() const { return upOutput_; }
  const std::string& project() const { return project_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& repo() const { return repo_; }

  // The plugin on this stack (with --repo); `env` adds environment entries.
  ProcessResult plugin(std::vector<std::string> args,
                       const std::map<std::string, std::string>& env = {}) const;
  // The same with --repo `repository` instead of the stack's own directory (e.g. s3://bucket/p).
  ProcessResult pluginOn(const std::string& repository, std::vector<std::string> args,
                         const std::map<std::string, std::string>& env = {}) const;
  // The argv and environment plugin() runs with, for a test that runs it another way.
  std::vector<std::string> pluginArgv(std::vector<std::string> args) const;
  const std::map<std::string, std::string>& env() const { return env_; }
  // From now on compose(), container() and what uses them work on `project` (same files), e.g. a
  // staging copy; it is taken down with its volumes at the end too.
  void use(const std::string& project);
  // docker-compose on this project.
  ProcessResult compose(std::vector<std::string> args) const;
  // Waits until MySQL has its init tables and Redis answers (after `up -d`); false after 180 s.
  bool waitReady() const;
  std::string container(const std::string& service) const;

  // Runs in the service's container; the test fails on a non-zero exit.
  std::string sh(const std::string& service, const std::string& script) const;
  std::string mysql(const std::string& sql) const;
  std::string redis(const std::vector<std::string>& args) const;

  // Data of every kind the AgentChat stack holds: utf8mb4 and emoji, BLOBs, NULLs, JSON, DECIMAL,
  // a function; Redis strings, hashes, lists, sets, sorted sets, streams, TTLs, a second db; files
  // with owners, modes, a symlink and an old mtime in a volume and in the bind mount.
  void seed() const;
  // Everything a restore must bring back, as text: CHECKSUM TABLE of every table, routines,
  // triggers, events and views, Redis DEBUG DIGEST and key/TTL counts, volume and bind-mount files
  // (path, type, owner, mode, size, link, mtime, sha256).
  std::map<std::string, std::string> fingerprint() const;
  // seed(), then `backup --json ARGS...`; its id, or "" (the failure reported) if it failed.
  std::string seedAndBackUp(const std::vector<std::string>& args = {}) const;
  // Changes since the backup in MySQL, Redis, the volume and the bind mount, so a restore that
  // went through would show.
  void changeSinceBackup() const;
  bool allRunning() const;
  // The project's audit.log in the repository, one parsed line each.
  std::vector<nlohmann::json> auditLines() const;

 private:
  dockerapi::Engine& engine_;
  std::filesystem::path scratch_, dir_, repo_, state_;
  std::vector<std::string> files_;
  std::string project_, active_, rootPassword_, upOutput_;
  std::vector<std::string> projects_;
  std::map<std::string, std::string> env_;  // for every process this stack runs
  bool up_ = false;
};

// Every fingerprint entry of `before` has the same value in `after`; each difference named.
void expectSameData(const std::map<std::string, std::string>& before,
                    const std::map<std::string, std::string>& after);

}  // namespace e2e
