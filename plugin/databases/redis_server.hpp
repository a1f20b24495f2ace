#pragma once
// Which server answers a Redis service: Redis, or its fork Valkey. They share the protocol and,
// up to RDB 11, the file format, but number RDB formats independently since (see compat.cpp).
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace agentchat {

enum class RedisFlavour { Redis, Valkey };
const char* flavourName(RedisFlavour flavour);  // "redis", "valkey"

struct RedisServer {
  RedisFlavour flavour = RedisFlavour::Redis;
  std::string version;  // the flavour's own release: valkey_version on Valkey
};

// From INFO server. Valkey keeps redis_version at 7.2.4 for clients that test it, and says what
// it is in server_name:valkey and valkey_version.
RedisServer redisServerFrom(const std::map<std::string, std::string>& info);

// From a backup's details.redis.<service>: "flavour" and "serverVersion", written since backups
// knew Valkey; a detail without them comes from Redis and its "version" is Redis's.
RedisServer redisServerOf(const nlohmann::json& detail);

}  // namespace agentchat
