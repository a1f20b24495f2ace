#pragma once
// Redis's data files written from an RDB, for a Redis that is not running (a restore, a
// migration). Redis with `appendonly yes` loads only its AOF and ignores dump.rdb, so a helper Redis
// from the service's own image, on the same mount, loads the RDB and, when the server runs with AOF,
// rewrites the append-only file from it: whichever file the server then reads holds that data.
#include <functional>
#include <optional>
#include <string>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/databases/redis_client.hpp"
#include "plugin/databases/redis_snapshot.hpp"
#include "plugin/guard/stack_guard.hpp"

namespace agentchat {

struct RedisFilesJob {
  std::string image;           // the service's image
  dockerapi::MountSpec mount;  // the volume (or bind) holding layout.dir, at the service's target
  RedisLayout layout;          // dir, dbfilename, AOF on/off and its directory, version
  // Places the RDB at layout.rdbPath through the (created, not started) helper's archive endpoint.
  std::function<void(const std::string& helperId)> placeRdb;
  // Runs once the helper has loaded it (e.g. key counts against the manifest); may throw.
  std::function<void(RedisClient& loaded)> check;
};

// The mount of `service` that holds `dir` (a volume or a bind), at the same target.
std::optional<dockerapi::MountSpec> mountHolding(const compose::StackService& service,
                                                 const std::string& dir);

// Throws std::runtime_error saying what failed. `guard`: the helper is also removed on Ctrl-C.
void writeRedisFiles(dockerapi::Engine& engine, const RedisFilesJob& job, StackGuard* guard);

}  // namespace agentchat
