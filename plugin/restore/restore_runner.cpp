#include "plugin/restore/restore_runner.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "plugin/backup/backup_runner.hpp"
#include "plugin/backup/file_parts.hpp"
#include "plugin/backup/volume_labels.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/guard/dead_run.hpp"
#include "plugin/restore/manifest_checks.hpp"
#include "plugin/restore/postgres_steps.hpp"
#include "plugin/restore/restore_steps.hpp"

namespace agentchat {

using volumes::PartKind;

namespace {

using Clock = std::chrono::steady_clock;

// A part loaded into a running database server (not a volume of files).
bool isDatabasePart(PartKind kind) {
  return kind == PartKind::MysqlDump || kind == PartKind::RedisRdb || kind == PartKind::PostgresDump ||
         kind == PartKind::PostgresGlobals;
}

// The safety snapshot covers what the restore overwrites. Online unless a database is down or its
// volume is restored raw: then a raw copy, so a rollback can put the same files back.
std::optional<BackupPlan> safetyPlan(const compose::Stack& stack, const RestorePlan& plan) {
  BackupOptions options;
  bool raw = false, anyThere = false;
  for (const auto& item : plan.items) {
    if (item.kind == PartKind::MysqlDump) options.only.insert(Component::Mysql);
    if (item.kind == PartKind::RedisRdb) options.only.insert(Component::Redis);
    if (item.kind == PartKind::PostgresDump) options.only.insert(Component::Postgres);
    if (item.kind == PartKind::Config) {
      options.only.insert(Component::Config);
      anyThere = true;
    }
    if (item.kind == PartKind::Objects) {
      options.only.insert(Component::Objects);
      anyThere = true;
    }
    if (item.kind == PartKind::Volume) {
      options.only.insert(Component::Volumes);
      const auto& volume = stack.volumes.at(item.volumeKey);
      anyThere = anyThere || volume.exists;
      for (const auto& [service, target] : volume.mountedBy) {
        if (isDatabase(stack.services.at(service).role)) raw = true;
      }
    }
    if (isDatabasePart(item.kind)) {
      const auto& service = stack.services.at(item.service);
      if (runningContainer(service).empty()) {  // as loaded, before anything was touched
        raw = true;
      } else {
        anyThere = true;
      }
    }
  }
  if (!anyThere) return std::nullopt;
  if (raw) {
    // Raw copies of every volume, taken with the stack stopped.
    bool config = options.only.count(Component::Config) > 0,
         objects = options.only.count(Component::Objects) > 0;
    options.only = {Component::Volumes};
    if (config) options.only.insert(Component::Config);
    if (objects) options.only.insert(Component::Objects);
    options.consistency = Consistency::Stop;
  }
  auto backup = planBackup(stack, options);
  if (backup.parts.empty()) return std::nullopt;
  return backup;
}

class Restorer {
 public:
  Restorer(RestoreContext& ctx, const RestorePlan& plan) : ctx_(ctx), plan_(plan) {}

  // Runs every step; `step` names the one running when something throws.
  void run(std::string& step, std::vector<StepTiming>& done) {
    auto began = Clock::now();
    auto finished = [&](const std::string& name) {
      done.push_back({name, std::chrono::duration<double>(Clock::now() - began).count()});
      began = Clock::now();
    };
    step = "stop";
    createMissingVolumes();
    for (const auto& c : plan_.stop) {
      spdlog::info("stopping {}", c.name);
      ctx_.guard.stop(c.id, c.name, 30);
    }
    finished(step);
    for (const auto& item : plan_.items) {
      step = stepName(item);
      spdlog::info("restoring {}", step);
      if (item.kind == PartKind::MysqlDump) {
        ensureServing(item.service);
        loadMysqlDump(ctx_, item);
      } else if (item.kind == PartKind::RedisRdb) {
        restoreRedis(ctx_, item);
      } else if (item.kind == PartKind::PostgresGlobals) {
        ensureServing(item.service);
        restorePostgresGlobals(ctx_, item);
      } else if (item.kind == PartKind::PostgresDump) {
        ensureServing(item.service);
        loadPostgresDump(ctx_, item);
      } else if (item.kind == PartKind::Volume) {
        replaceVolume(ctx_, item);
      } else if (item.kind == PartKind::Sqlite) {
        overlaySqliteFiles(ctx_, item);
      } else if (item.kind == PartKind::Config) {
        restoreConfig(ctx_, item);
      } else if (item.kind == PartKind::Logs) {
        restoreLogs(ctx_, item);
      } else if (item.kind == PartKind::Objects) {
        restoreObjects(ctx_, item);
      }
      finished(step);
    }
    step = "start";
    // With the databases already up (a dump was loaded into them), their check runs while the
    // rest of the stack starts.
    std::future<void> verifying;
    if (databasesServing()) verifying = std::async(std::launch::async, [this] { verify(); });
    try {
      startStack();
    } catch (...) {
      if (verifying.valid()) verifying.wait();
      throw;
    }
    finished(step);
    step = "verify";
    if (verifying.valid()) {
      verifying.get();
    } else {
      verify();
    }
    finished(step);
  }

 private:
  static std::string stepName(const RestoreItem& item) {
    if (item.kind == PartKind::MysqlDump)
      return "mysql (" + item.part.name + " into service " + item.service + ")";
    if (item.kind == PartKind::RedisRdb)
      return "redis (" + item.part.name + " into service " + item.service + ")";
    if (item.kind == PartKind::PostgresGlobals)
      return "postgres roles (" + item.part.name + " into service " + item.service + ")";
    if (item.kind == PartKind::PostgresDump)
      return "postgres database " + item.part.source + " (" + item.part.name + " into service " +
             item.service + ")";
    if (item.kind == PartKind::Volume) return "volume " + item.volume + " (" + item.part.name + ")";
    if (item.kind == PartKind::Sqlite)
      return "SQLite databases in volume " + item.volume + " (" + item.part.name + ")";
    if (item.kind == PartKind::Config) return "config (" + item.part.name + ")";
    return "logs (" + item.part.name + " into " + item.service + ":" + item.path + ")";
  }

  // Compose adopts a volume carrying its labels, so a later `docker compose up` uses this one.
  void createMissingVolumes() {
    for (const auto& [key, volume] : ctx_.stack.volumes) {
      bool needed = std::find(plan_.missingVolumes.begin(), plan_.missingVolumes.end(), volume.name) !=
                    plan_.missingVolumes.end();
      if (!needed) continue;
      dockerapi::VolumeSpec spec;
      spec.name = volume.name;
      spec.driver = volume.driver.empty() ? "local" : volume.driver;
      spec.labels = newVolumeLabels(volume.labels, ctx_.stack.name, key);
      ctx_.engine.createVolume(spec);
      spdlog::info("created volume {} (it did not exist)", volume.name);
    }
  }

  // A database the dump goes into must be up (a raw-copy restore or the safety snapshot may have
  // left it stopped).
  void ensureServing(const std::string& serviceName) {
    const auto& service = ctx_.stack.services.at(serviceName);
    for (const auto& c : service.containers) {
      if (!ctx_.engine.inspectContainer(c.id).running) ctx_.engine.startContainer(c.id);
      waitUntilServing(ctx_.engine, service, c.id);
    }
  }

  // Everything stopped is started again, dependencies first, and each database must answer before
  // the data checks run. The apps are watched after those checks (app_health.hpp): whether an app
  // comes up is reported, and never decides a rollback.
  void startStack() {
    auto failed = ctx_.guard.resumeAll();
    if (!failed.empty()) throw RestoreStepFailed("could not start " + failed.front());
    for (const auto& name : compose::startOrder(ctx_.stack)) {
      const auto& service = ctx_.stack.services.at(name);
      if (!isDatabase(service.role)) continue;
      for (const auto& c : service.containers) {
        if (ctx_.engine.inspectContainer(c.id).running) waitUntilServing(ctx_.engine, service, c.id);
      }
    }
  }

  bool databasesServing() {
    for (const auto& item : plan_.items) {
      if (isDatabasePart(item.kind) &&
          liveContainer(ctx_.engine, ctx_.stack.services.at(item.service)).empty())
        return false;
    }
    return true;
  }

  void verify() {
    std::vector<std::string> problems;
    for (const auto& item : plan_.items) {
      if (item.kind == PartKind::PostgresDump) {
        for (auto& p : postgresProblems(ctx_, item)) problems.push_back(item.service + ": " + p);
        continue;
      }
      if (item.kind != PartKind::MysqlDump && item.kind != PartKind::RedisRdb) continue;
      const auto& service = ctx_.stack.services.at(item.service);
      std::string container = liveContainer(ctx_.engine, service);
      if (container.empty()) throw RestoreStepFailed("service " + service.name + " is not running");
      std::vector<std::string> found;
      if (item.kind == PartKind::MysqlDump) {
        auto login = databaseLogin(ctx_.engine, service);
        if (!login) throw RestoreStepFailed("service " + service.name + ": no MySQL login to verify with");
        MysqlClient client(ctx_.engine, container, service.name, *login);
        found = mysqlProblems(client, ctx_.manifest.details.at("mysql").at(item.part.service));
      } else {
        RedisClient client(ctx_.engine, container, service.name, databaseLogin(ctx_.engine, service));
        found = redisProblems(client, ctx_.manifest.details.at("redis").at(item.part.service));
      }
      for (auto& p : found) problems.push_back(service.name + ": " + p);
    }
    if (!problems.empty())
      throw RestoreStepFailed(
          "the restored data differs from the manifest: " + problems.front() +
          (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : ""));
  }

  RestoreContext& ctx_;
  const RestorePlan& plan_;
};

}  // namespace

RestoreReport runRestore(dockerapi::Engine& engine, const compose::Stack& target,
                         volumes::Repository& repository, const volumes::Manifest& manifest,
                         const RestorePlan& plan, const RestoreSettings& settings) {
  auto started = Clock::now();
  engine.apiVersion();
  RestoreReport report;
  // As found, before the safety snapshot (which may stop the stack) touches anything.
  report.apps = runningApps(engine, target);
  std::string helperImage;
  if (plan.has(PartKind::Volume)) helperImage = dockerapi::pickHelperImage(engine, helperImages(target));

  std::optional<volumes::Manifest> safety;
  if (!settings.safetySnapshot) {
    spdlog::warn("no safety snapshot (--no-safety-snapshot): a failed restore cannot be rolled back");
  } else if (auto backup = safetyPlan(target, plan)) {
    spdlog::info("taking the safety snapshot of {} ({} parts)", target.name, backup->parts.size());
    BackupSettings backupSettings;
    backupSettings.label = "pre-restore";
    backupSettings.terminal = settings.terminal;
    backupSettings.toolVersion = settings.toolVersion;
    backupSettings.compressionLevel = 1;  // speed matters here; it is kept like any backup
    backupSettings.recipients = settings.safetyRecipients;
    backupSettings.encryption = settings.safetyEncryption;
    backupSettings.environ = settings.environ;
    auto began = Clock::now();
    safety = runBackup(engine, target, repository, *backup, backupSettings);
    report.steps.push_back({"safety snapshot", std::chrono::duration<double>(Clock::now() - began).count()});
    report.safetySnapshot = safety->id;
    spdlog::info("safety snapshot {} taken; `docker agentchat restore {}` brings back the state before",
                 safety->id, safety->id);
  } else {
    spdlog::info("no safety snapshot: nothing of {} exists yet to be overwritten", target.name);
  }

  auto projectRun = startProjectRun(
      engine, repository, target.name, "restore",
      "backup " + manifest.id + "; safety snapshot " + (safety ? safety->id : std::string("none")));
  StackGuard guard(engine, projectRun.journal.get());
  Progress progress(settings.terminal);
  RestoreContext ctx{engine,
                     target,
                     manifest,
                     {&repository, manifest.project, manifest.id},
                     repository.localRoot().value_or(""),
                     guard,
                     progress,
                     helperImage};
  ctx.keys = settings.keys;
  ctx.environ = &settings.environ;
  std::map<std::string, volumes::objects::CreatedKeys> createdObjects;
  ctx.createdObjects = &createdObjects;
  std::string step;
  try {
    Restorer(ctx, plan).run(step, report.steps);
  } catch (const std::exception& e) {
    std::string failure = "restore of backup " + manifest.id + " failed at step " + step + ": " + e.what();
    spdlog::error("{}", failure);
    if (!safety) {
      auto failed = guard.resumeAll();
      throw RestoreFailed(
          failure + "\nNo safety snapshot was taken, so nothing was rolled back" +
              (failed.empty() ? "" : "; these containers did not start again: " + failed.front()) +
              ". The data may be partly restored: restore a backup again once the cause is fixed.",
          false);
    }
    spdlog::warn("rolling back: restoring the safety snapshot {}", safety->id);
    std::string rollbackStep;
    std::vector<StepTiming> rollbackDone;
    try {
      auto rollbackPlan = planRestore(*safety, target, {});
      RestoreContext back{engine,
                          target,
                          *safety,
                          {&repository, target.name, safety->id},
                          repository.localRoot().value_or(""),
                          guard,
                          progress,
                          helperImage};
      back.keys = settings.keys;
      back.environ = &settings.environ;
      back.rollback = true;
      back.createdObjects = &createdObjects;
      if (rollbackPlan.has(PartKind::Volume) && back.helperImage.empty())
        back.helperImage = dockerapi::pickHelperImage(engine, helperImages(target));
      Restorer(back, rollbackPlan).run(rollbackStep, rollbackDone);
    } catch (const std::exception& r) {
      auto failed = guard.resumeAll();
      throw RestoreFailed(failure + "\nThe rollback failed too, at step " + rollbackStep + ": " + r.what() +
                              "\nThe safety snapshot " + safety->id +
                              " is kept in the repository: once the cause is "
                              "fixed, run `docker agentchat restore " +
                              safety->id +
                              " --yes` to return to the state "
                              "before this restore.",
                          false);
    }
    throw RestoreFailed(failure + "\nRolled back: the safety snapshot " + safety->id +
                            " was restored and verified; the stack holds the data it held before.",
                        true);
  }
  if (!report.apps.empty()) {
    spdlog::info("data verified; waiting for the apps' health checks");
    auto began = Clock::now();
    try {
      waitForApps(engine, report.apps, settings.healthWait);
    } catch (const std::exception& e) {
      // The data are restored and verified; only the apps' verdict is missing, and the report says
      // that rather than the engine's error alone.
      for (auto& app : report.apps) {
        if (app.fine()) continue;
        app.now = "unknown";
        app.lastProbe = e.what();
      }
    }
    report.steps.push_back({"apps", std::chrono::duration<double>(Clock::now() - began).count()});
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return report;
}

}  // namespace agentchat
