#include "plugin/backup_runner.hpp"
#include "plugin/utc_time.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <ctime>
#include <future>
#include <set>

#include "dockerapi/errors.hpp"
#include "dockerapi/helper_container.hpp"
#include "plugin/database_login.hpp"
#include "plugin/dump_row_counter.hpp"
#include "plugin/mysql_catalog.hpp"
#include "plugin/mysql_dump.hpp"
#include "plugin/progress.hpp"
#include "plugin/redis_snapshot.hpp"
#include "plugin/stack_guard.hpp"
#include "plugin/task_group.hpp"
#include "volumes/compressed_part.hpp"
#include "volumes/excludes.hpp"
#include "volumes/host_archive.hpp"
#include "volumes/tar_walker.hpp"

namespace agentchat {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// How long writers may stay paused while the databases take their snapshots.
constexpr auto kPauseLimit = std::chrono::seconds(30);

// Shared by the part writers of one run.
class Run {
 public:
  Run(dockerapi::Engine& engine, const compose::Stack& stack, volumes::Repository::Staging& staging,
      const BackupSettings& settings, TaskGroup& tasks, Progress& progress, StackGuard& guard)
      : engine(engine),
        stack(stack),
        tasks(tasks),
        guard(guard),
        staging_(staging),
        settings_(settings),
        progress_(progress) {}

  // Streams `produce`'s bytes into a new compressed part; records it in the manifest.
  void writePart(const PlannedPart& planned,
                 const std::function<void(const dockerapi::ChunkSink&)>& produce) {
    volumes::PartRecord record{planned.name, planned.kind, planned.service, planned.source, 0, 0, ""};
    volumes::CompressedPart part(staging_.addPart(planned.name), record, settings_.compressionLevel,
                                 settings_.threadsPerPart);
    auto& shown = progress_.add(planned.name);
    auto started = Clock::now();
    produce([&](std::string_view raw) {
      tasks.checkpoint();
      part.write(raw);
      shown.bytes += raw.size();
    });
    auto done = part.finish();
    progress_.finished(shown, done.size);
    std::lock_guard lock(mutex_);
    parts.push_back(done);
    timings[planned.name] = secondsSince(started);
  }

  void detail(const std::string& section, const std::string& key, json value) {
    std::lock_guard lock(mutex_);
    details[section][key] = std::move(value);
  }

  dockerapi::Engine& engine;
  const compose::Stack& stack;
  TaskGroup& tasks;
  StackGuard& guard;
  std::vector<volumes::PartRecord> parts;
  json timings = json::object();
  json details = json::object();

 private:
  volumes::Repository::Staging& staging_;
  const BackupSettings& settings_;
  Progress& progress_;
  std::mutex mutex_;
};

const compose::StackService& serviceOf(const compose::Stack& stack, const PlannedPart& part) {
  return stack.services.at(part.service);
}

std::string requireRunning(const compose::StackService& service) {
  std::string container = runningContainer(service);
  if (container.empty()) {
    throw BackupFailed("service " + service.name +
                       " is not running, so it cannot be dumped online: start it (docker compose start " +
                       service.name + ") or back up with --consistency stop");
  }
  return container;
}

// A database part, made ready before any container is paused: login checked, server surveyed,
// file layout read, so that the pause holds only the snapshot itself and a wrong password costs
// the stack nothing.
struct PreparedDatabase {
  std::string container;
  std::unique_ptr<MysqlClient> mysql;
  MysqlSurvey survey;
  std::unique_ptr<RedisClient> redis;
  RedisLayout layout;
};

PreparedDatabase prepareDatabase(dockerapi::Engine& engine, const compose::StackService& service) {
  PreparedDatabase prepared;
  prepared.container = requireRunning(service);
  if (service.role == compose::Role::Redis) {
    prepared.redis = std::make_unique<RedisClient>(engine, prepared.container, service.name,
                                                   databaseLogin(engine, service));
    std::string error;
    if (!prepared.redis->ping(error))
      throw BackupFailed("service " + service.name + ": Redis does not answer: " + error);
    prepared.layout = redisLayout(*prepared.redis);
    return prepared;
  }
  auto login = databaseLogin(engine, service);
  if (!login) {
    throw BackupFailed("service " + service.name +
                       ": no MySQL login found in the container's environment (set MYSQL_ROOT_PASSWORD, "
                       "MARIADB_ROOT_PASSWORD, a *_FILE variant or MYSQL_USER/MYSQL_PASSWORD)");
  }
  prepared.mysql = std::make_unique<MysqlClient>(engine, prepared.container, service.name, *login);
  // Throws MysqlError naming the service and where the password came from.
  prepared.survey = surveyMysql(*prepared.mysql, service.settings.databases);
  for (const auto& [table, info] : prepared.survey.tables) {
    if (!transactional(info.engine)) {
      spdlog::warn(
          "service {}: table {} uses {}, which a transaction cannot freeze: its rows may change during "
          "an online dump (use --consistency stop for an exact copy)",
          service.name, table, info.engine);
    }
  }
  return prepared;
}

void dumpMysqlPart(Run& run, const PlannedPart& planned, PreparedDatabase& db,
                   const std::function<void()>& onSnapshot) {
  const auto& service = serviceOf(run.stack, planned);
  DumpRowCounter counter;
  MysqlDumpResult result;
  run.writePart(planned, [&](const dockerapi::ChunkSink& sink) {
    result = dumpMysql(
        *db.mysql, db.survey,
        [&](std::string_view sql) {
          counter.feed(sql);
          sink(sql);
        },
        onSnapshot);
  });
  json tables = json::object();
  for (const auto& [table, info] : db.survey.tables) {
    auto rows = counter.rows().find(table);
    json columnList = json::array();
    for (const auto& c : info.columnList) columnList.push_back({c.name, c.type, c.nullable});
    tables[table] = {{"engine", info.engine},
                     {"columns", info.columns},
                     {"columnCount", info.columnCount},
                     {"columnList", columnList},  // [name, type, nullable]
                     {"rows", rows == counter.rows().end() ? 0 : rows->second}};
  }
  json binlog = nullptr;
  if (result.binlogFile) binlog = {{"file", *result.binlogFile}, {"position", *result.binlogPosition}};
  run.detail("mysql", service.name,
             {{"part", planned.name},
              {"serverVersion", result.serverVersion},
              {"mariadb", result.mariadb},
              {"image", service.image},
              {"databases", result.databases},
              {"binlog", binlog},
              {"tables", tables}});
}

void snapshotRedisParts(Run& run, const PlannedPart& planned, PreparedDatabase& db,
                        const std::function<void()>& onForked) {
  const auto& service = serviceOf(run.stack, planned);
  const std::string& container = db.container;
  RedisSnapshotResult result;
  run.writePart(planned, [&](const dockerapi::ChunkSink& sink) {
    result =
        snapshotRedis(run.engine, *db.redis, container, db.layout, sink, std::chrono::seconds(600), onForked);
  });
  json detail = {{"part", planned.name},      {"version", result.redisVersion},
                 {"image", service.image},    {"keys", result.keys},
                 {"expires", result.expires}, {"aof", result.aofEnabled},
                 {"rdbPath", result.rdbPath}, {"aofDirectory", result.aofDirectory}};
  if (result.aofEnabled) {
    // Redis 7 keeps a multi-part AOF in a directory: taken too, so either file can be restored.
    PlannedPart aof{service.name + "-aof.tar.zst", "redis-aof", service.name, result.aofDirectory, {}};
    try {
      run.writePart(aof, [&](const dockerapi::ChunkSink& sink) {
        run.engine.getArchive(container, result.aofDirectory, sink);
      });
      detail["aofPart"] = aof.name;
    } catch (const dockerapi::EngineError& e) {
      if (e.kind() != dockerapi::ErrorKind::NotFound) throw;
      spdlog::warn(
          "service {}: AOF is on but {} does not exist (Redis before 7 keeps one file); the RDB is complete",
          service.name, result.aofDirectory);
    }
  }
  run.detail("redis", service.name, detail);
}

std::vector<std::string> helperImages(const compose::Stack& stack) {
  std::vector<std::string> images;
  for (const auto& [name, service] : stack.services) {
    if (!service.imageId.empty()) images.push_back(service.imageId);
    if (!service.image.empty()) images.push_back(service.image);
  }
  return images;
}

// x-agentchat excludes of the whole project and of the service the part belongs to.
volumes::Excludes excludesFor(const compose::Stack& stack, const PlannedPart& planned) {
  std::vector<std::string> patterns = stack.settings.excludes;
  if (auto it = stack.services.find(planned.service); it != stack.services.end()) {
    patterns.insert(patterns.end(), it->second.settings.excludes.begin(), it->second.settings.excludes.end());
  }
  return volumes::Excludes(patterns);
}

// Streams a container path's archive into `sink`, leaving out entries `keep` refuses (the tar is
// rewritten on the fly: kept entries pass byte for byte). Returns (kept, dropped) file counts.
std::pair<std::uint64_t, std::uint64_t> filteredArchive(
    dockerapi::Engine& engine, const std::string& container, const std::string& path,
    const dockerapi::ChunkSink& sink, const std::function<bool(const volumes::TarEntry&)>& keep) {
  std::uint64_t kept = 0, dropped = 0;
  auto filter = volumes::TarWalker::filter(
      [&](const volumes::TarEntry& entry) {
        bool ok = keep(entry);
        if (entry.type != '5') ++(ok ? kept : dropped);
        return ok;
      },
      sink);
  engine.getArchive(container, path, [&](std::string_view chunk) { filter.feed(chunk); });
  filter.finish();
  return {kept, dropped};
}

void copyVolumePart(Run& run, const PlannedPart& planned, const std::string& helperImage) {
  auto helper = dockerapi::HelperContainer::forVolume(run.engine, helperImage, planned.source, true,
                                                      "backup of volume " + planned.source);
  run.guard.onInterrupt([&engine = run.engine, id = helper.id()] { engine.removeContainer(id, true); });
  // "<mount>/." yields entries relative to the volume root ("./a/b"): extractable anywhere.
  std::string root = std::string(dockerapi::HelperContainer::kVolumeMount) + "/.";
  auto excludes = excludesFor(run.stack, planned);
  run.writePart(planned, [&](const dockerapi::ChunkSink& sink) {
    if (excludes.empty()) {
      run.engine.getArchive(helper.id(), root, sink);
      return;
    }
    auto [kept, dropped] =
        filteredArchive(run.engine, helper.id(), root, sink,
                        [&](const volumes::TarEntry& e) { return !excludes.excludes(e.name); });
    run.detail("excluded", planned.name, dropped);
  });
}

// Logs are taken incrementally, as the guide's daily log backup: only files changed since the
// previous backup that took this part (the first backup takes them all).
void copyLogsPart(Run& run, const PlannedPart& planned, std::optional<std::int64_t> since) {
  const auto& service = serviceOf(run.stack, planned);
  if (service.containers.empty()) {
    spdlog::warn("service {}: no container, so no logs to take", service.name);
    return;
  }
  const std::string& container = service.containers.front().id;
  auto excludes = excludesFor(run.stack, planned);
  std::int64_t takenAt = std::time(nullptr);
  std::pair<std::uint64_t, std::uint64_t> counts;
  try {
    run.writePart(planned, [&](const dockerapi::ChunkSink& sink) {
      counts = filteredArchive(run.engine, container, planned.source, sink, [&](const volumes::TarEntry& e) {
        if (excludes.excludes(e.name)) return false;
        // >=: a file written in the same second as the last copy may have changed after it.
        return e.type == '5' || !since || e.mtime >= *since;
      });
    });
  } catch (const dockerapi::EngineError& e) {
    if (e.kind() != dockerapi::ErrorKind::NotFound) throw;
    spdlog::warn("service {}: log path {} does not exist in the container; nothing taken", service.name,
                 planned.source);
    return;
  }
  run.detail("logs", planned.name,
             {{"path", planned.source},
              {"since", since ? json(*since) : json(nullptr)},
              {"takenAt", takenAt},
              {"files", counts.first},
              {"unchanged", counts.second}});
}

// When the newest complete backup holding `part` took it (for incremental logs).
std::optional<std::int64_t> lastTaken(const volumes::Repository& repository, const std::string& project,
                                      const std::string& part) {
  for (const auto& id : repository.list(project)) {
    try {
      auto manifest = repository.read(project, id);
      const auto& logs = manifest.details.value("logs", json::object());
      if (logs.contains(part)) return logs[part].at("takenAt").get<std::int64_t>();
    } catch (const std::exception&) {
      continue;  // an unreadable manifest is verify's business; take the logs in full
    }
  }
  return std::nullopt;
}

void writeConfigPart(Run& run, const PlannedPart& planned, const fs::path& repositoryRoot) {
  std::vector<volumes::HostEntry> entries;
  for (const auto& e : configEntries(run.stack, repositoryRoot.string()))
    entries.push_back({e.source, e.name});
  json listed = json::array();
  for (const auto& e : entries) listed.push_back(e.name);
  run.writePart(planned, [&](const dockerapi::ChunkSink& sink) {
    volumes::archiveHostPaths(entries, sink, {repositoryRoot});
  });
  run.detail("config", "entries", listed);
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

}  // namespace

std::vector<ConfigEntry> configEntries(const compose::Stack& stack, const std::string& repositoryRoot) {
  fs::path base = fs::path(stack.workingDir).lexically_normal();
  std::vector<ConfigEntry> out;
  std::set<std::string> seen;
  auto add = [&](fs::path source) {
    source = fs::absolute(source).lexically_normal();
    std::error_code ec;
    auto status = fs::status(source, ec);
    if (ec || !(fs::is_regular_file(status) || fs::is_directory(status)))
      return;  // sockets, devices, missing
    std::string text = source.string();
    if (!repositoryRoot.empty() && text == fs::path(repositoryRoot).lexically_normal().string()) return;
    for (const auto& s : seen) {  // already inside something taken
      if (text == s || (text.compare(0, s.size(), s) == 0 && text[s.size()] == '/')) return;
    }
    seen.insert(text);
    auto relative = source.lexically_relative(base);
    bool below = !relative.empty() && *relative.begin() != "..";
    out.push_back({text, below ? "project/" + relative.string() : "host" + text});
  };
  for (const auto& file : stack.files) add(file);
  add(base / ".env");
  for (const auto& [name, service] : stack.services) {
    for (const auto& bind : service.binds) add(bind.hostPath);
  }
  for (const auto& [name, secret] : stack.secrets) {
    if (!secret.file.empty()) add(secret.file);
  }
  return out;
}

volumes::Manifest runBackup(dockerapi::Engine& engine, const compose::Stack& stack,
                            volumes::Repository& repository, const BackupPlan& plan,
                            const BackupSettings& settings) {
  auto started = Clock::now();
  std::time_t now = std::time(nullptr);
  engine.apiVersion();  // negotiate once, before threads share the connection

  // Check what would fail late, before anything is held.
  std::optional<std::string> helperImage;
  std::map<std::string, PreparedDatabase> prepared;  // by part name
  for (const auto& part : plan.parts) {
    if (part.kind == "mysql-dump" || part.kind == "redis-rdb")
      prepared[part.name] = prepareDatabase(engine, stack.services.at(part.service));
    if (part.kind == "volume" && !helperImage)
      helperImage = dockerapi::pickHelperImage(engine, helperImages(stack));
  }
  if (plan.parts.empty())
    throw BackupFailed("nothing to back up: the plan has no parts (see backup --dry-run)");

  auto lock = repository.lock(stack.name);
  repository.removeAbandoned(stack.name);  // left by a run that was killed
  std::string id = repository.newBackupId(stack.name, now);
  auto staging = repository.begin(stack.name, id);
  StackGuard guard(engine);
  guard.onInterrupt([dir = staging->directory()] {
    std::error_code ec;
    fs::remove_all(dir, ec);
  });
  Progress progress(settings.terminal);
  json pause = {{"containers", json::array()}, {"seconds", 0.0}};
  std::vector<PlannedPart> databases, others;
  for (const auto& part : plan.parts) {
    (part.kind == "mysql-dump" || part.kind == "redis-rdb" ? databases : others).push_back(part);
  }

  TaskGroup tasks;
  Run run(engine, stack, *staging, settings, tasks, progress, guard);
  auto startPart = [&](const PlannedPart& part, std::function<void()> onSnapshot) {
    // Whoever waits for the snapshot is told once, also when the part fails before reaching it.
    auto once = std::make_shared<std::once_flag>();
    std::function<void()> signal = [once, onSnapshot] {
      if (onSnapshot) std::call_once(*once, onSnapshot);
    };
    tasks.run([&run, &part, &repository, &helperImage, &stack, &prepared, signal] {
      struct Signal {
        std::function<void()> run;
        ~Signal() { run(); }
      } atEnd{signal};
      if (part.kind == "mysql-dump") return dumpMysqlPart(run, part, prepared.at(part.name), signal);
      if (part.kind == "redis-rdb") return snapshotRedisParts(run, part, prepared.at(part.name), signal);
      if (part.kind == "volume") return copyVolumePart(run, part, *helperImage);
      if (part.kind == "logs") return copyLogsPart(run, part, lastTaken(repository, stack.name, part.name));
      if (part.kind == "config") return writeConfigPart(run, part, repository.root());
    });
  };

  try {
    if (plan.consistency == Consistency::Stop) {
      for (const auto& c : plan.hold) {
        spdlog::info("stopping {}", c.name);
        guard.stop(c.id, c.name, 30);
        pause["containers"].push_back(c.name);
      }
      auto stopped = Clock::now();
      for (const auto& part : plan.parts) startPart(part, {});
      tasks.wait();
      auto failed = guard.resumeAll();
      pause["seconds"] = secondsSince(stopped);
      if (!failed.empty()) spdlog::error("could not start again: {}", fmt::join(failed, ", "));
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
        startPart(databases[i], [promise] { promise->set_value(); });
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
      pause["seconds"] = databases.empty() ? 0.0 : secondsSince(pausedAt);
      if (!failed.empty())
        throw BackupFailed("could not unpause " + failed.front() + ": docker unpause it by hand");
      if (!databases.empty()) {
        spdlog::info("writers paused for {:.3f} s ({})", pause["seconds"].get<double>(),
                     pause["containers"].empty() ? std::string("none running") : pause["containers"].dump());
      }
      for (const auto& part : others) startPart(part, {});
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
  manifest.createdAt = utcTimestamp(now);
  manifest.label = settings.label;
  manifest.consistency = plan.consistency == Consistency::Online ? "online" : "stop";
  // Parts in plan order, whatever order the threads finished in.
  for (const auto& planned : plan.parts) {
    for (const auto& p : run.parts) {
      if (p.name == planned.name ||
          (p.service == planned.service && p.kind == "redis-aof" && planned.kind == "redis-rdb"))
        manifest.parts.push_back(p);
    }
  }
  manifest.details = run.details;
  manifest.details["stack"] = stackDetails(engine, stack);
  manifest.details["pause"] = pause;
  manifest.details["notes"] = plan.notes;
  manifest.details["tool"] = {{"version", settings.toolVersion}};
  manifest.details["timings"] = {{"parts", run.timings}, {"totalSeconds", secondsSince(started)}};
  staging->commit(manifest);
  return manifest;
}

}  // namespace agentchat
