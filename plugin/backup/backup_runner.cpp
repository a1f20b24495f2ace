#include "plugin/backup/backup_runner.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <future>

#include "base/utc_time.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/backup/backup_run.hpp"
#include "plugin/backup/database_parts.hpp"
#include "plugin/backup/file_parts.hpp"
#include "plugin/backup/object_parts.hpp"
#include "plugin/guard/dead_run.hpp"
#include "plugin/guard/serving.hpp"
#include "plugin/hooks/hook_runner.hpp"
#include "plugin/unattended/sanity.hpp"

namespace agentchat {

using volumes::PartKind;

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// After a stop-mode copy the stack is handed back only once its databases answer again (a fresh
// MariaDB 11 takes seconds to open its files): whatever runs next finds them serving, and one that
// does not come back is said at once. The copy itself is complete either way.
void waitForDatabasesStoppedIn(dockerapi::Engine& engine, const compose::Stack& stack,
                               const BackupPlan& plan) {
  for (const auto& [name, service] : stack.services) {
    if (!isDatabase(service.role)) continue;
    for (const auto& c : service.containers) {
      bool stopped =
          std::any_of(plan.hold.begin(), plan.hold.end(), [&](const auto& h) { return h.id == c.id; });
      if (!stopped) continue;
      try {
        waitUntilServing(engine, service, c.id);
      } catch (const std::exception& e) {
        spdlog::error("the backup is complete, but after it {}", e.what());
      }
    }
  }
}

json stackDetails(dockerapi::Engine& engine, const compose::Stack& stack) {
  json services = json::object();
  for (const auto& [name, s] : stack.services) {
    json containers = json::array(), volumes = json::array(), binds = json::array();
    for (const auto& c : s.containers) containers.push_back({{"name", c.name}, {"state", c.state}});
    for (const auto& v : s.volumes)
      volumes.push_back({{"key", v.volumeKey}, {"name", v.volumeName}, {"target", v.target}});
    for (const auto& b : s.binds)
      binds.push_back({{"source", b.hostPath}, {"target", b.target}, {"readOnly", b.readOnly}});
    // Registry digests pin the exact image on a new host; none for locally built or imported ones.
    json digests = json::array();
    if (!s.imageId.empty()) {
      try {
        digests = engine.imageDigests(s.imageId);
      } catch (const dockerapi::EngineError&) {
        // the image was removed since the container was created: the id still names it
      }
    }
    services[name] = {{"role", compose::roleName(s.role)},
                      {"image", s.image},
                      {"imageId", s.imageId},
                      {"repoDigests", digests},
                      {"dependsOn", s.dependsOn},
                      {"containers", containers},
                      {"volumes", volumes},
                      {"binds", binds}};
  }
  json volumes = json::object();
  for (const auto& [key, v] : stack.volumes) {
    volumes[key] = {{"name", v.name}, {"driver", v.driver}, {"external", v.external}, {"labels", v.labels}};
  }
  auto version = engine.version();
  return {{"workingDir", stack.workingDir},
          {"files", stack.files},
          {"services", services},
          {"volumes", volumes},
          {"engine",
           {{"version", version.engineVersion},
            {"apiVersion", engine.apiVersion().str()},
            {"os", version.os},
            {"arch", version.arch}}}};
}

// The journal keeps what could not be unpaused; the error says so, and names the engine when it is
// the engine that went away (exit 3 rather than 1).
[[noreturn]] void unpauseFailed(dockerapi::Engine& engine, const std::vector<std::string>& failed) {
  std::string what = "could not unpause " + fmt::format("{}", fmt::join(failed, ", ")) +
                     " (the run journal keeps it: the next backup or restore, or `docker agentchat status`, "
                     "unpauses it; or run `docker unpause` yourself)";
  try {
    engine.version();
  } catch (const dockerapi::EngineError& e) {
    if (e.kind() == dockerapi::ErrorKind::Unreachable)
      throw dockerapi::EngineError(e.kind(), std::string(e.what()) + "\n" + what);
  }
  throw BackupFailed(what);
}

}  // namespace

volumes::Manifest runBackup(dockerapi::Engine& engine, const compose::Stack& stack,
                            volumes::Repository& repository, const BackupPlan& plan,
                            const BackupSettings& settings) {
  auto started = Clock::now();
  std::time_t now = std::time(nullptr);
  engine.apiVersion();  // negotiate once, before threads share the connection

  // Check what would fail late, before anything is held.
  std::optional<std::string> helperImage;
  std::map<std::string, PreparedDatabase> prepared;  // by part name
  std::map<std::string, PreparedPostgres> postgres;  // by service
  std::vector<PlannedPart> parts;                    // the plan's, with a PostgreSQL server's databases
  std::vector<std::string> notes = plan.notes;
  for (const auto& part : plan.parts) {
    parts.push_back(part);
    if (part.kind == PartKind::MysqlDump || part.kind == PartKind::RedisRdb)
      prepared[part.name] = prepareDatabase(engine, stack.services.at(part.service));
    if (part.kind == PartKind::PostgresGlobals) {
      auto server = preparePostgres(engine, stack.services.at(part.service));
      if (server.survey.standby) {  // a replica: its primary is another service, dumped as such
        parts.pop_back();
        notes.push_back(
            "service " + part.service +
            ": a PostgreSQL standby (in recovery); not dumped, its primary's dumps hold the data");
        continue;
      }
      for (auto& dump : postgresDumpParts(part.service, server.survey)) parts.push_back(std::move(dump));
      postgres[part.service] = std::move(server);
    }
    if (part.kind == PartKind::Volume && !helperImage)
      helperImage = dockerapi::pickHelperImage(engine, helperImages(stack));
  }
  if (parts.empty()) throw BackupFailed("nothing to back up: the plan has no parts (see backup --dry-run)");

  auto projectRun = startProjectRun(engine, repository, stack.name, "backup");
  std::string id = repository.newBackupId(stack.name, now);
  HookRunner* hooks = settings.hooks;
  if (hooks) {
    hooks->setEnvironment("AGENTCHAT_BACKUP_ID", id);
    try {
      hooks->runPre(HookPhase::PreBackup);  // before anything is held: a failure leaves all as found
    } catch (...) {
      hooks->runPost(HookPhase::PostBackup, false);  // undo what the services before the failure did
      throw;
    }
  }
  // The post hooks run once the guard has resumed everything: in a paused container they could not.
  auto take = [&]() -> volumes::Manifest {
    auto staging = repository.begin(stack.name, id);
    StackGuard guard(engine, projectRun.journal.get());
    guard.onInterrupt([partial = staging.get()] { partial->discard(); });
    Progress progress(settings.terminal);
    json pause = {{"containers", json::array()}, {"seconds", 0.0}};
    std::vector<std::string> notRestarted;  // stop mode: containers that would not start again
    std::vector<PlannedPart> databases, others;
    for (const auto& part : parts) {
      bool snapshot = part.kind == PartKind::MysqlDump || part.kind == PartKind::RedisRdb ||
                      part.kind == PartKind::PostgresDump;
      (snapshot ? databases : others).push_back(part);
    }

    base::TaskGroup tasks;
    PartWriter run(engine, stack, *staging, settings, tasks, progress, guard);
    auto startPart = [&](const PlannedPart& part, std::function<void()> onSnapshot, bool bounded) {
      // Whoever waits for the snapshot is told once, also when the part fails before reaching it.
      auto once = std::make_shared<std::once_flag>();
      std::function<void()> signal = [once, onSnapshot] {
        if (onSnapshot) std::call_once(*once, onSnapshot);
      };
      tasks.run(
          [&run, &part, &repository, &helperImage, &stack, &prepared, &postgres, signal] {
            struct Signal {
              std::function<void()> run;
              ~Signal() { run(); }
            } atEnd{signal};
            if (part.kind == PartKind::MysqlDump)
              return dumpMysqlPart(run, part, prepared.at(part.name), signal);
            if (part.kind == PartKind::RedisRdb)
              return snapshotRedisParts(run, part, prepared.at(part.name), signal);
            if (part.kind == PartKind::PostgresDump)
              return dumpPostgresPart(run, part, postgres.at(part.service), signal);
            if (part.kind == PartKind::PostgresGlobals)
              return dumpPostgresGlobalsPart(run, part, postgres.at(part.service));
            if (part.kind == PartKind::Volume) return copyVolumePart(run, part, *helperImage, repository);
            if (part.kind == PartKind::Logs)
              return copyLogsPart(run, part, lastTaken(repository, stack.name, part.name));
            if (part.kind == PartKind::Config)
              return writeConfigPart(run, part, repository.localRoot().value_or(""));
            if (part.kind == PartKind::Objects) return copyObjectsPart(run, part, repository);
          },
          bounded);
    };

    try {
      if (plan.consistency == Consistency::Stop) {
        for (const auto& c : plan.hold) {
          spdlog::info("stopping {}", c.name);
          guard.stop(c.id, c.name, 30);
          pause["containers"].push_back(c.name);
        }
        auto stopped = Clock::now();
        for (const auto& part : parts) startPart(part, {}, true);
        tasks.wait();
        notRestarted = guard.resumeAll();
        pause["seconds"] = base::secondsSince(stopped);
        waitForDatabasesStoppedIn(engine, stack, plan);
      } else {
        // The writers pause, the databases fix their point in time, the writers resume: MySQL and
        // Redis then hold the same moment. Everything else is copied afterwards, unpaused.
        std::vector<std::promise<void>> snapshots(databases.size());
        auto pausedAt = Clock::now();
        if (!databases.empty()) {
          for (const auto& c : plan.hold) {
            guard.pause(c.id, c.name);
            pause["containers"].push_back(c.name);
          }
        }
        for (std::size_t i = 0; i < databases.size(); ++i) {
          auto* promise = &snapshots[i];
          startPart(
              databases[i], [promise] { promise->set_value(); }, false);
        }
        auto deadline = Clock::now() + kPauseLimit;
        for (auto& s : snapshots) {
          if (s.get_future().wait_until(deadline) != std::future_status::ready) {
            spdlog::warn("the database snapshots took over {} s; resuming the paused containers anyway",
                         kPauseLimit.count());
            break;
          }
        }
        auto failed = guard.resumeAll();
        pause["seconds"] = databases.empty() ? 0.0 : base::secondsSince(pausedAt);
        if (!failed.empty()) unpauseFailed(engine, failed);
        if (!databases.empty()) {
          spdlog::info(
              "writers paused for {:.3f} s ({})", pause["seconds"].get<double>(),
              pause["containers"].empty() ? std::string("none running") : pause["containers"].dump());
        }
        for (const auto& part : others) startPart(part, {}, true);
        tasks.wait();
      }
    } catch (...) {
      tasks.cancel();
      tasks.waitQuietly();
      throw;
    }

    volumes::Manifest manifest;
    manifest.id = id;
    manifest.project = stack.name;
    manifest.createdAt = base::utcTimestamp(now);
    manifest.label = settings.label;
    manifest.consistency = plan.consistency == Consistency::Online ? "online" : "stop";
    manifest.encryption = settings.encryption;
    // Parts in plan order, whatever order the threads finished in.
    for (const auto& planned : parts) {
      for (const auto& p : run.parts) {
        if (p.contentName() == planned.name ||
            (p.service == planned.service && p.knownKind() == PartKind::RedisAof &&
             planned.kind == PartKind::RedisRdb) ||
            (p.source == planned.source && p.knownKind() == PartKind::Sqlite &&
             planned.kind == PartKind::Volume))
          manifest.parts.push_back(p);
      }
    }
    manifest.details = run.details;
    manifest.details["stack"] = stackDetails(engine, stack);
    manifest.details["pause"] = pause;
    manifest.details["notes"] = notes;
    manifest.details["tool"] = {{"version", settings.toolVersion}};
    manifest.details["timings"] = {{"parts", run.timings}, {"totalSeconds", base::secondsSince(started)}};
    if (settings.sanity) {
      auto sanity = checkSanity(manifest, recentBackups(repository, stack.name), *settings.sanity);
      for (const auto& warning : sanity.warnings) spdlog::warn("sanity: {}", warning);
      manifest.details["sanity"] = sanity.toJson();
    }
    std::string postFailure = hooks ? hooks->runPost(HookPhase::PostBackup, true) : "";
    if (hooks && !hooks->records().empty()) manifest.details["hooks"] = hooks->toJson();
    staging->commit(manifest);
    if (!postFailure.empty())
      throw HookFailed("backup " + id + " is complete and kept, but its " + postFailure);
    // The copy is good and kept; the stack is not as it was found, and that must not pass as success.
    if (!notRestarted.empty()) {
      throw BackupFailed("backup " + id + " is complete, but these containers did not start again: " +
                         fmt::format("{}", fmt::join(notRestarted, ", ")) +
                         " (see the log above; start them with docker compose start)");
    }
    return manifest;
  };
  try {
    return take();
  } catch (...) {
    if (hooks) hooks->runPost(HookPhase::PostBackup, false);
    throw;
  }
}

}  // namespace agentchat
