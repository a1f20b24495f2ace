#pragma once
// What every command shares: the global options and, made on first use, the engine connection.
#include <memory>
#include <optional>

#include "dockerapi/context.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

struct GlobalOptions {
  dockerapi::ConnectionOptions connection;
  bool debug = false;
  std::string logLevel = "info";
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
