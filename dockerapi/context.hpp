#pragma once
// Which engine to talk to, decided exactly as the docker CLI decides it:
// --context / -H (not both), DOCKER_HOST, DOCKER_CONTEXT, config.json's currentContext, the default socket.
#include <map>
#include <optional>
#include <string>

#include "dockerapi/endpoint.hpp"

namespace dockerapi {

// Docker's global flags that bear on the connection.
struct ConnectionOptions {
  std::optional<std::string> context;    // --context / -c
  std::optional<std::string> host;       // --host / -H
  std::optional<std::string> configDir;  // --config
  bool tls = false;                      // --tls
  bool tlsVerify = false;                // --tlsverify
  std::optional<std::string> tlsCaCert;  // --tlscacert
  std::optional<std::string> tlsCert;    // --tlscert
  std::optional<std::string> tlsKey;     // --tlskey
};

using Environ = std::map<std::string, std::string>;

struct ResolvedEndpoint {
  Endpoint endpoint;
  std::string contextName;  // "default" unless a named context was used
  std::string source;       // how it was chosen, for `version` and error messages
};

// $DOCKER_CONFIG, else ~/.docker; --config wins over both.
std::string dockerConfigDir(const ConnectionOptions& options, const Environ& env);

// Reads config.json and the context store from disk; throws EngineError with an actionable message
// for a missing context, a conflict of --host and --context, or an unsupported scheme.
ResolvedEndpoint resolveEndpoint(const ConnectionOptions& options, const Environ& env);

// The process environment as a map (the only impure input of resolveEndpoint besides files).
Environ processEnviron();

}  // namespace dockerapi
