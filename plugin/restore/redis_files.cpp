#include "plugin/restore/redis_files.hpp"

#include <filesystem>

#include "base/wait_until.hpp"
#include "dockerapi/exec.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/databases/version_numbers.hpp"

namespace agentchat {

namespace fs = std::filesystem;

namespace {
constexpr auto kLoadTimeout = std::chrono::seconds(180);
}

std::optional<dockerapi::MountSpec> mountHolding(const compose::StackService& service,
                                                 const std::string& dir) {
  auto holds = [&](const std::string& target) {
    return dir == target || dir.rfind(target.back() == '/' ? target : target + "/", 0) == 0;
  };
  for (const auto& v : service.volumes) {
    if (holds(v.target))
      return dockerapi::MountSpec{dockerapi::MountSpec::Type::Volume, v.volumeName, v.target, false};
  }
  for (const auto& b : service.binds) {
    if (holds(b.target))
      return dockerapi::MountSpec{dockerapi::MountSpec::Type::Bind, b.hostPath, b.target, false};
  }
  return std::nullopt;
}

void writeRedisFiles(dockerapi::Engine& engine, const RedisFilesJob& job, StackGuard* guard) {
  const auto& layout = job.layout;
  auto version = versionNumbers(layout.redisVersion);
  bool redis7 = !version.empty() && version.front() >= 7;
  // The old append-only file goes first: it would otherwise be what the server loads.
  std::string aofPath = redis7 ? layout.aofDirectory : (fs::path(layout.dir) / "appendonly.aof").string();
  std::vector<std::string> cmd{"sh",
                               "-c",
                               layout.aofEnabled ? std::string("rm -rf -- \"$0\" && ") + kRedisServerScript
                                                 : std::string(kRedisServerScript),
                               aofPath,
                               "--dir",
                               layout.dir,
                               "--dbfilename",
                               fs::path(layout.rdbPath).filename().string(),
                               "--appendonly",
                               "no",
                               "--save",
                               "",
                               "--bind",
                               "127.0.0.1",
                               "--port",
                               "6379"};
  if (redis7 && layout.aofEnabled) {
    cmd.insert(cmd.end(), {"--appenddirname", fs::path(layout.aofDirectory).filename().string()});
  }
  dockerapi::HelperContainer helper(engine, job.image, {job.mount}, "Redis files in " + job.mount.source,
                                    cmd);
  if (guard != nullptr) guard->onInterrupt([&engine, id = helper.id()] { engine.removeContainer(id, true); });
  job.placeRdb(helper.id());
  engine.startContainer(helper.id());
  RedisClient loader(engine, helper.id(), "Redis helper", std::nullopt);
  base::waitUntil("the helper Redis loading the RDB", kLoadTimeout, [&] {
    if (!engine.inspectContainer(helper.id()).running)
      throw std::runtime_error("the RDB did not load in image " + job.image + " (see compat)");
    std::string error;
    return loader.ping(error) && loader.info("persistence")["loading"] == "0";
  });
  if (job.check) job.check(loader);
  if (layout.aofEnabled) {
    loader.command({"CONFIG", "SET", "appendonly", "yes"});
    base::waitUntil("the append-only file rebuilt from the RDB", kLoadTimeout, [&] {
      auto info = loader.info("persistence");
      if (info["aof_last_bgrewrite_status"] == "err") throw std::runtime_error("rebuilding the AOF failed");
      return info["aof_rewrite_in_progress"] == "0" && info["aof_rewrite_scheduled"] == "0" &&
             info["aof_enabled"] == "1";
    });
  }
  loader.command({"SAVE"});
  // The files get the owner of the data directory, as the server's entrypoint set it up.
  auto chown = dockerapi::execCapture(
      engine, helper.id(),
      {{"sh", "-c", "chown -R \"$(stat -c %u:%g \"$0\")\" \"$0\"", layout.dir}, {}, {}, {}});
  if (chown.exitCode != 0)
    throw std::runtime_error("setting the owner of " + layout.dir + " failed (exit " +
                             std::to_string(chown.exitCode) + ")");
  try {
    loader.command({"SHUTDOWN", "NOSAVE"});
  } catch (const std::exception&) {
    // the connection closes as the server exits
  }
  engine.waitContainer(helper.id());
}

}  // namespace agentchat
