#include "plugin/restore/restore_steps.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "base/text_lines.hpp"
#include "base/wait_until.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/exec.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "plugin/backup/backup_runner.hpp"
#include "plugin/backup/file_parts.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/redis_client.hpp"
#include "plugin/databases/redis_snapshot.hpp"
#include "plugin/databases/sqlite_files.hpp"
#include "plugin/databases/version_numbers.hpp"
#include "plugin/restore/app_health.hpp"
#include "plugin/restore/manifest_checks.hpp"
#include "plugin/restore/redis_files.hpp"
#include "volumes/guarded_tar.hpp"
#include "volumes/host_restore.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The client's "ERROR 1064 (42000) at line 12: ..." line, else the first line it printed.
std::string mysqlErrorLine(const std::string& text) {
  auto at = text.find("ERROR");
  return base::firstLine(at == std::string::npos ? text : text.substr(at));
}

// A started helper's exit status once it has finished.
void runToCompletion(dockerapi::Engine& engine, const dockerapi::HelperContainer& helper,
                     const std::string& what) {
  engine.startContainer(helper.id());
  int status = engine.waitContainer(helper.id());
  if (status != 0)
    throw RestoreStepFailed(what + " failed in a helper container (exit " + std::to_string(status) + ")");
}

// Ctrl-C exits from the signal watcher, past every destructor: the helper goes then too.
void removedOnInterrupt(RestoreContext& ctx, const dockerapi::HelperContainer& helper) {
  ctx.guard.onInterrupt([&engine = ctx.engine, id = helper.id()] { engine.removeContainer(id, true); });
}

std::set<std::string> staleSqliteCompanions(const std::vector<std::string>& databases) {
  std::set<std::string> out;
  for (const auto& db : databases) {
    for (const auto& suffix : sqliteSidecarSuffixes()) out.insert(db + suffix);
  }
  return out;
}

std::string imageOf(const compose::StackService& service) {
  return service.imageId.empty() ? service.image : service.imageId;
}

}  // namespace

// The part's bytes as they leave the repository, counted for the progress line.
base::ChunkSource countedPart(volumes::PartReader& reader, Progress::Part& shown) {
  return [&reader, &shown](char* buffer, std::size_t capacity) {
    std::size_t n = reader.read(buffer, capacity);
    shown.bytes += n;
    return n;
  };
}

void loadMysqlDump(RestoreContext& ctx, const RestoreItem& item) {
  const auto& service = ctx.stack.services.at(item.service);
  std::string container = liveContainer(ctx.engine, service);
  if (container.empty()) throw RestoreStepFailed("service " + service.name + " is not running");
  auto login = databaseLogin(ctx.engine, service);
  if (!login)
    throw RestoreStepFailed("service " + service.name + ": no MySQL login in its container's environment");
  MysqlClient client(ctx.engine, container, service.name, *login);
  const auto& detail = ctx.manifest.details.at("mysql").at(item.part.service);

  // Recreated from scratch: tables, views and routines made since the backup must not survive it.
  std::string drop;
  for (const auto& db : detail.at("databases"))
    drop += "DROP DATABASE IF EXISTS " + quoteIdentifier(db) + ";";
  if (!drop.empty()) client.query(drop);

  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  auto source = countedPart(reader, shown);
  std::vector<std::string> cmd{client.tools().client};
  for (auto& arg : client.loginArgs()) cmd.push_back(arg);
  cmd.push_back("--default-character-set=utf8mb4");
  std::string errors;
  auto result = client.run(
      cmd, [](std::string_view) {},
      [&](std::string_view e) {
        if (errors.size() < 4096) errors.append(e);
      },
      source);
  ctx.progress.finished(shown, item.part.size);
  if (result.exitCode != 0) {
    throw RestoreStepFailed("loading " + item.part.name + " into service " + service.name + " failed (exit " +
                            std::to_string(result.exitCode) + "): " + mysqlErrorLine(errors));
  }
}

void restoreRedis(RestoreContext& ctx, const RestoreItem& item) {
  const auto& service = ctx.stack.services.at(item.service);
  const auto& detail = ctx.manifest.details.at("redis").at(item.part.service);
  // Where this Redis keeps its files and whether it loads an AOF: asked of the live server (its
  // configuration is what it will start with), else as the backup recorded it.
  RedisLayout layout;
  layout.rdbPath = detail.value("rdbPath", "/data/dump.rdb");
  layout.dir = fs::path(layout.rdbPath).parent_path().string();
  layout.aofEnabled = detail.value("aof", false);
  layout.aofDirectory = detail.value("aofDirectory", "");
  layout.redisVersion = detail.value("version", "");
  if (std::string running = liveContainer(ctx.engine, service); !running.empty()) {
    RedisClient live(ctx.engine, running, service.name, databaseLogin(ctx.engine, service));
    layout = redisLayout(live);
  }
  auto mount = mountHolding(service, layout.dir);
  if (!mount) {
    throw RestoreStepFailed("service " + service.name + " keeps its data in " + layout.dir +
                            ", which is not on a volume or bind mount: nothing would survive a restart");
  }
  for (const auto& c : service.containers) ctx.guard.stop(c.id, c.name, 30);

  RedisFilesJob job;
  job.image = imageOf(service);
  job.mount = *mount;
  job.layout = layout;
  job.placeRdb = [&](const std::string& helper) {
    volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
    auto& shown = ctx.progress.add(item.part.name);
    ctx.engine.putArchive(helper, layout.dir,
                          volumes::singleFileTar(fs::path(layout.rdbPath).filename().string(),
                                                 item.part.rawSize, countedPart(reader, shown)));
    ctx.progress.finished(shown, item.part.size);
  };
  job.check = [&](RedisClient& loaded) {
    if (auto problems = redisProblems(loaded, detail); !problems.empty())
      throw RestoreStepFailed("the RDB loaded with other key counts than the manifest's: " +
                              problems.front());
  };
  try {
    writeRedisFiles(ctx.engine, job, &ctx.guard);
  } catch (const RestoreStepFailed&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw RestoreStepFailed(e.what());
  }
  for (const auto& c : service.containers) {
    ctx.engine.startContainer(c.id);
    waitUntilServing(ctx.engine, service, c.id);
  }
}

void replaceVolume(RestoreContext& ctx, const RestoreItem& item) {
  std::string root = dockerapi::HelperContainer::kVolumeMount;
  dockerapi::HelperContainer helper(
      ctx.engine, ctx.helperImage, {{dockerapi::MountSpec::Type::Volume, item.volume, root, false}},
      "restore of volume " + item.volume, {"sh", "-c", "rm -rf -- \"$0\"/* \"$0\"/.[!.]* \"$0\"/..?*", root});
  removedOnInterrupt(ctx, helper);
  runToCompletion(ctx.engine, helper, "emptying volume " + item.volume);
  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  // The -wal, -shm and -journal copied beside a database its sqlite part replaces may be torn, and
  // SQLite would replay or roll them back onto the clean copy: they stay out.
  auto stale = staleSqliteCompanions(item.sqliteFiles);
  volumes::GuardedTarSource guarded(countedPart(reader, shown), {}, [&](const std::string& name) {
    return stale.count(volumeRelativePath(name)) > 0;
  });
  ctx.engine.putArchive(helper.id(), root, guarded.source());
  ctx.progress.finished(shown, item.part.size);
}

void overlaySqliteFiles(RestoreContext& ctx, const RestoreItem& item) {
  std::string root = dockerapi::HelperContainer::kVolumeMount;
  auto helper = dockerapi::HelperContainer::forVolume(ctx.engine, ctx.helperImage, item.volume, false,
                                                      "restore of SQLite files in volume " + item.volume);
  removedOnInterrupt(ctx, helper);
  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  volumes::GuardedTarSource guarded(countedPart(reader, shown));
  ctx.engine.putArchive(helper.id(), root, guarded.source());
  ctx.progress.finished(shown, item.part.size);
}

void restoreConfig(RestoreContext& ctx, const RestoreItem& item) {
  const auto config = ctx.manifest.details.value("config", json::object());
  std::vector<std::string> entries = config.value("entries", std::vector<std::string>{});
  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  // Only where the stack's own config is now: a tampered config part cannot reach other host paths.
  std::set<std::string> ours;
  for (const auto& e : configEntries(ctx.stack, ctx.repositoryRoot.string())) ours.insert(e.name);
  std::vector<std::string> replace;
  for (const auto& e : entries) {
    if (ours.count(e)) replace.push_back(e);
  }
  auto result = volumes::restoreHostPaths(countedPart(reader, shown), ctx.stack.workingDir, replace,
                                          keptPaths(ctx.repositoryRoot), "/", &ours);
  for (const auto& name : result.skipped) {
    spdlog::warn(
        "{}: {} not restored: it is not among the stack's config paths now (compose files, .env, "
        "bind mounts, file secrets)",
        item.part.name, name);
  }
  ctx.progress.finished(shown, item.part.size);
  spdlog::info("{}: {} entries back in place, {} files the backup did not have removed", item.part.name,
               result.entries, result.removed);
}

void restoreLogs(RestoreContext& ctx, const RestoreItem& item) {
  const auto& service = ctx.stack.services.at(item.service);
  if (service.containers.empty()) throw RestoreStepFailed("service " + service.name + " has no container");
  fs::path path(item.path);
  volumes::PartReader reader(ctx.backup.open(item.part), item.part, ctx.keys);
  auto& shown = ctx.progress.add(item.part.name);
  volumes::GuardedTarSource guarded(countedPart(reader, shown), path.filename().string());
  ctx.engine.putArchive(service.containers.front().id, path.parent_path().string(), guarded.source());
  ctx.progress.finished(shown, item.part.size);
}

}  // namespace agentchat
