#include "plugin/databases/redis_snapshot.hpp"

#include <ctime>
#include <thread>

#include "base/tar_file_reader.hpp"

namespace agentchat {

namespace {
std::uint64_t field(const std::string& value, const std::string& name) {
  auto at = value.find(name + "=");
  if (at == std::string::npos || (at > 0 && value[at - 1] != ',')) return 0;
  return std::stoull(value.substr(at + name.size() + 1));
}
}  // namespace

std::uint64_t keyCount(const std::string& value) {
  return field(value, "keys");
}
std::uint64_t expiresCount(const std::string& value) {
  return field(value, "expires");
}

namespace {

// CONFIG GET NAME -> value ("NAME\nvalue" in redis-cli's raw output).
std::string configValue(RedisClient& client, const std::string& name) {
  std::string reply = client.command({"CONFIG", "GET", name});
  auto newline = reply.find('\n');
  if (newline == std::string::npos)
    throw SnapshotFailed("redis: CONFIG GET " + name + " returned nothing (renamed?)");
  return reply.substr(newline + 1);
}

std::uint64_t lastSave(RedisClient& client) {
  return std::stoull(client.command({"LASTSAVE"}));
}

}  // namespace

RedisLayout redisLayout(RedisClient& client) {
  RedisLayout layout;
  auto info = client.info();
  layout.redisVersion = info["redis_version"];
  layout.server = redisServerFrom(info);
  layout.aofEnabled = info["aof_enabled"] == "1";
  layout.dir = configValue(client, "dir");
  layout.rdbPath = layout.dir + "/" + configValue(client, "dbfilename");
  if (layout.aofEnabled) {
    std::string appendDir = "appendonlydir";  // Redis 7 multi-part AOF; absent before 7
    try {
      appendDir = configValue(client, "appenddirname");
    } catch (const std::exception&) {
    }
    layout.aofDirectory = layout.dir + "/" + appendDir;
  }
  return layout;
}

RedisSnapshotResult snapshotRedis(dockerapi::Engine& engine, RedisClient& client,
                                  const std::string& container, const base::ChunkSink& rdb,
                                  std::chrono::seconds timeout, const std::function<void()>& onForked) {
  return snapshotRedis(engine, client, container, redisLayout(client), rdb, timeout, onForked);
}

RedisSnapshotResult snapshotRedis(dockerapi::Engine& engine, RedisClient& client,
                                  const std::string& container, const RedisLayout& layout,
                                  const base::ChunkSink& rdb, std::chrono::seconds timeout,
                                  const std::function<void()>& onForked, bool asTar) {
  bool forked = false;
  auto fork = [&] {
    if (!forked && onForked) onForked();
    forked = true;
  };
  struct AtExit {
    std::function<void()> run;
    ~AtExit() { run(); }
  } atExit{fork};
  RedisSnapshotResult result;
  result.redisVersion = layout.redisVersion;
  result.server = layout.server;
  result.aofEnabled = layout.aofEnabled;
  result.rdbPath = layout.rdbPath;
  result.aofDirectory = layout.aofDirectory;
  const std::string& dir = layout.dir;

  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Which save is ours: Redis 7 counts saves (rdb_saves); before that only LASTSAVE exists, with
  // one-second resolution, so wait until the clock has moved past the previous save.
  // One INFO (all sections): which save came last, and the key counts as the save starts (writers
  // are paused around it in an online backup), so a restore can be checked against them.
  auto infoBefore = client.info();
  auto savesBefore = infoBefore["rdb_saves"];
  for (const auto& [key, value] : infoBefore) {
    if (key.rfind("db", 0) != 0) continue;
    result.keys[key] = keyCount(value);
    result.expires[key] = expiresCount(value);
  }
  std::uint64_t before = savesBefore.empty() ? lastSave(client) : 0;
  if (savesBefore.empty()) {
    while (static_cast<std::uint64_t>(std::time(nullptr)) <= before) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  auto ours = [&](std::map<std::string, std::string>& persistence) {
    if (!savesBefore.empty()) return persistence["rdb_saves"] != savesBefore;
    return lastSave(client) > before;
  };
  // SCHEDULE: if an AOF rewrite is running, Redis starts the save as soon as it ends.
  std::string reply = client.command({"BGSAVE", "SCHEDULE"});
  if (reply.find("started") == std::string::npos && reply.find("scheduled") == std::string::npos) {
    throw SnapshotFailed("redis: BGSAVE answered \"" + reply + "\"");
  }
  if (reply.find("started") != std::string::npos) fork();  // the reply comes after fork()
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto persistence = client.info("persistence");
    bool busy = persistence["rdb_bgsave_in_progress"] != "0";
    if (busy || ours(persistence)) fork();  // a scheduled save has started (or already ended)
    if (!busy && ours(persistence)) {
      if (persistence["rdb_last_bgsave_status"] != "ok") {
        throw SnapshotFailed(
            "redis: BGSAVE failed (rdb_last_bgsave_status:" + persistence["rdb_last_bgsave_status"] +
            "); see the Redis log, often a full or read-only disk in " + dir);
      }
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw SnapshotFailed("redis: BGSAVE still running after " + std::to_string(timeout.count()) + " s");
    }
  }
  if (asTar) {
    engine.getArchive(container, result.rdbPath, [&](std::string_view chunk) {
      result.rdbBytes += chunk.size();
      rdb(chunk);
    });
    return result;
  }
  base::TarFileReader reader([&](std::string_view chunk) {
    result.rdbBytes += chunk.size();
    rdb(chunk);
  });
  engine.getArchive(container, result.rdbPath, [&reader](std::string_view chunk) { reader.feed(chunk); });
  reader.finish();
  return result;
}

}  // namespace agentchat
