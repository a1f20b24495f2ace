#pragma once
// Talks to Redis by running redis-cli inside its container; the password travels in the exec's
// environment (REDISCLI_AUTH), never in arguments.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "compose/credentials.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

class RedisError : public base::Error {
 public:
  using base::Error::Error;
};

class RedisClient {
 public:
  RedisClient(dockerapi::Engine& engine, std::string container, std::string service,
              std::optional<compose::DatabaseLogin> login);

  // The reply as redis-cli prints it without a terminal (raw). Throws RedisError on an error reply.
  std::string command(const std::vector<std::string>& args);
  bool ping(std::string& error);
  // INFO [section] as key -> value.
  std::map<std::string, std::string> info(const std::string& section = {});

  std::vector<std::string> loginEnv() const;

 private:
  dockerapi::Engine& engine_;
  std::string container_;
  std::string service_;
  std::optional<compose::DatabaseLogin> login_;
  // redis-cli, or valkey-cli in a Valkey image without the redis-* names; settled by the first call.
  std::string cli_ = "redis-cli";
  bool cliSettled_ = false;
};

// A shell command line that runs redis-server, or valkey-server where only that exists, with the
// arguments that follow it: for helpers and drills started from a service's image.
inline constexpr const char* kRedisServerScript =
    "p=$(command -v redis-server || command -v valkey-server) || { echo 'neither redis-server nor "
    "valkey-server in this image' >&2; exit 127; }; exec \"$p\" \"$@\"";

// "# Server\r\nredis_version:7.0.15\r\n..." -> {redis_version: 7.0.15, ...}
std::map<std::string, std::string> parseRedisInfo(const std::string& text);

}  // namespace agentchat
