#pragma once
// What every command shares: the global options and, made on first use, the engine connection.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dockerapi/context.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

// compose's own global options, so the plugin finds the project exactly as `docker compose` would.
struct ProjectOptions {
  std::optional<std::string> projectName;       // -p / --project-name
  std::vector<std::string> files;               // -f / --file, repeatable
  std::optional<std::string> projectDirectory;  // --project-directory
  std::vector<std::string> envFiles;            // --env-file
  std::vector<std::string> profiles;            // --profile, added to COMPOSE_PROFILES
};

struct GlobalOptions {
  dockerapi::ConnectionOptions connection;
  ProjectOptions project;
  std::optional<std::string> repository;  // --repo
  bool debug = false;
  std::string logLevel = "info";
  std::string logFormat = "text";  // text | json
};

class Session {
 public:
  Session(GlobalOptions options, dockerapi::Environ environ);

  const GlobalOptions& options() const { return options_; }
  const dockerapi::Environ& environ() const { return environ_; }
  // Resolves --context/-H/DOCKER_HOST/... once; throws dockerapi::EngineError.
  const dockerapi::ResolvedEndpoint& endpoint();
  dockerapi::Engine& engine();

 private:
  GlobalOptions options_;
  dockerapi::Environ environ_;
  std::optional<dockerapi::ResolvedEndpoint> endpoint_;
  std::unique_ptr<dockerapi::Engine> engine_;
};

}  // namespace agentchat
