#pragma once
// A point-in-time copy of Redis: BGSAVE, wait until that save (not an older one) has finished and
// succeeded, then stream dump.rdb out through the engine's archive API.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "base/error.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/databases/redis_client.hpp"
#include "plugin/databases/redis_server.hpp"

namespace agentchat {

class SnapshotFailed : public base::Error {
 public:
  using base::Error::Error;
};

struct RedisSnapshotResult {
  std::string redisVersion;  // INFO's redis_version: 7.2.4 on every Valkey
  RedisServer server;        // Redis or Valkey, and its own version
  std::string rdbPath;       // in the container
  std::uint64_t rdbBytes = 0;
  bool aofEnabled = false;
  std::string aofDirectory;                      // <dir>/<appenddirname> when AOF is on
  std::map<std::string, std::uint64_t> keys;     // db0 -> key count at snapshot time
  std::map<std::string, std::uint64_t> expires;  // db0 -> keys of those with a TTL
};

// "keys=3,expires=1,avg_ttl=0" -> 3
std::uint64_t keyCount(const std::string& keyspaceValue);
// "keys=3,expires=1,avg_ttl=0" -> 1
std::uint64_t expiresCount(const std::string& keyspaceValue);

// Where Redis keeps its files: read before the writers are paused, so the pause holds only the
// save itself.
struct RedisLayout {
  std::string redisVersion;
  RedisServer server;
  std::string dir;
  std::string rdbPath;
  bool aofEnabled = false;
  std::string aofDirectory;
};
RedisLayout redisLayout(RedisClient& client);

// `onForked` runs once the save's fork exists (the point in time the RDB holds), or when the
// snapshot fails before that. `asTar`: `rdb` receives the engine's tar of the file (one entry
// named as the file, its size in the header: what another engine's archive upload takes).
RedisSnapshotResult snapshotRedis(dockerapi::Engine& engine, RedisClient& client,
                                  const std::string& container, const RedisLayout& layout,
                                  const base::ChunkSink& rdb,
                                  std::chrono::seconds timeout = std::chrono::seconds(600),
                                  const std::function<void()>& onForked = {}, bool asTar = false);
// The same, reading the layout first.
RedisSnapshotResult snapshotRedis(dockerapi::Engine& engine, RedisClient& client,
                                  const std::string& container, const base::ChunkSink& rdb,
                                  std::chrono::seconds timeout = std::chrono::seconds(600),
                                  const std::function<void()>& onForked = {});

}  // namespace agentchat
