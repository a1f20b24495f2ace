#include "plugin/databases/redis_server.hpp"

namespace agentchat {

const char* flavourName(RedisFlavour flavour) {
  return flavour == RedisFlavour::Valkey ? "valkey" : "redis";
}

RedisServer redisServerFrom(const std::map<std::string, std::string>& info) {
  auto find = [&info](const char* key) {
    auto it = info.find(key);
    return it == info.end() ? std::string{} : it->second;
  };
  std::string valkey = find("valkey_version");
  if (find("server_name") == "valkey" || !valkey.empty()) {
    return {RedisFlavour::Valkey, valkey.empty() ? find("redis_version") : valkey};
  }
  return {RedisFlavour::Redis, find("redis_version")};
}

RedisServer redisServerOf(const nlohmann::json& detail) {
  auto flavour = detail.value("flavour", "redis") == "valkey" ? RedisFlavour::Valkey : RedisFlavour::Redis;
  return {flavour, detail.value("serverVersion", detail.value("version", ""))};
}

}  // namespace agentchat
