#include "plugin/migrate/migrate_runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "dockerapi/helper_container.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "plugin/backup/backup_runner.hpp"
#include "plugin/backup/file_parts.hpp"
#include "plugin/backup/volume_labels.hpp"
#include "plugin/cli/progress.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/mysql_catalog.hpp"
#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_client.hpp"
#include "plugin/databases/redis_snapshot.hpp"
#include "plugin/guard/stack_guard.hpp"
#include "plugin/migrate/migrate_online.hpp"
#include "plugin/migrate/volume_transfer.hpp"
#include "plugin/restore/manifest_checks.hpp"
#include "plugin/restore/restore_steps.hpp"
#include "plugin/restore/service_twin.hpp"
#include "volumes/host_restore.hpp"
#include "volumes/stream_pipe.hpp"

namespace agentchat {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// The project's files (compose files, .env, bind mounts, file secrets) into the target directory:
// the project's own below it as they were, absolute host paths below <dir>/host/.
void writeProjectFiles(const compose::Stack& stack, const MigrateSettings& settings) {
  std::vector<volumes::HostEntry> entries;
  for (const auto& e : configEntries(stack, settings.repositoryRoot.string()))
    entries.push_back({e.source, e.name});
  fs::create_directories(settings.targetDir);
  ::chmod(settings.targetDir.c_str(), 0700);  // .env and secrets are in there
  volumes::StreamPipe pipe;
  std::thread archive([&] {
    try {
      volumes::archiveHostPaths(entries, pipe.sink(), keptPaths(settings.repositoryRoot));
      pipe.close();
    } catch (...) {
      pipe.fail(std::current_exception());
    }
  });
  try {
    volumes::restoreHostPaths(pipe.source(), settings.targetDir, {}, {}, settings.targetDir / "host");
  } catch (...) {
    pipe.abandon();
    archive.join();
    throw;
  }
  archive.join();
  for (const auto& e : entries) {
    if (e.name.rfind("host/", 0) == 0)
      spdlog::warn("{} is outside the project directory: it is in {}; put it at {} on the target host",
                   e.source.string(), (settings.targetDir / e.name).string(), e.source.string());
  }
}

// What the migration created on the target goes again when it fails (the checks made sure none of
// it existed before); says what could not be removed.
std::string removeCreated(dockerapi::Engine& target, const std::vector<std::string>& created,
                          const std::string& targetName) {
  std::vector<std::string> left;
  for (const auto& name : created) {
    try {
      target.removeVolume(name, true);
    } catch (const std::exception&) {
      left.push_back(name);
    }
  }
  if (created.empty()) return "\nNothing was created on the target.";
  if (left.empty()) return "\nThe volumes it had created on the target were removed again.";
  return fmt::format(
      "\nThese volumes it created on the target could not be removed: {} (docker -H {} volume rm them "
      "once it answers).",
      fmt::join(left, ", "), targetName);
}

// Row counts per table and key counts per database, source against target. The target's database
// services do not exist yet: stand-ins from the same image and settings open its volumes.
// `expected` (online): the counts the snapshot held stand for the source, which has moved on since.
std::vector<Comparison> compareData(dockerapi::Engine& source, const compose::Stack& stack,
                                    dockerapi::Engine& target, const SnapshotCounts& expected) {
  std::vector<Comparison> out;
  for (const auto& name : compose::startOrder(stack)) {
    const auto& service = stack.services.at(name);
    if (service.role != compose::Role::Mysql && service.role != compose::Role::Redis &&
        service.role != compose::Role::Postgres)
      continue;
    std::string container = liveContainer(source, service);
    if (container.empty())
      throw MigrationFailed("service " + name + " is not running on the source: cannot compare");
    ServiceTwin twin(target, service, source, container);
    twin.startAndWait();
    const auto& login = twin.login();
    if (service.role == compose::Role::Mysql) {
      if (!login) throw MigrationFailed("service " + name + ": no MySQL login to compare with");
      MysqlClient from(source, container, name, *login), to(target, twin.id(), name + " (target)", *login);
      auto survey = surveyMysql(from, service.settings.databases);
      std::vector<std::string> tables;
      for (const auto& [table, info] : survey.tables) {
        if (info.engine != "VIEW") tables.push_back(table);
      }
      auto there = surveyMysql(to, survey.databases).tables;
      std::vector<std::string> present;
      for (const auto& t : tables) {
        if (there.count(t)) present.push_back(t);
      }
      auto a = expected.count(name) ? expected.at(name) : rowCounts(from, tables);
      auto b = rowCounts(to, present);
      for (const auto& t : tables) out.push_back({name, t, a[t], there.count(t) ? b[t] : "missing"});
    } else if (service.role == compose::Role::Postgres) {
      if (!login) throw MigrationFailed("service " + name + ": no PostgreSQL login to compare with");
      PostgresClient from(source, container, name, *login), to(target, twin.id(), name + " (target)", *login);
      auto databases = surveyPostgres(from, service.settings.databases).databases;
      // "db.schema.table" -> rows, on one side; a database missing there has no tables.
      auto countsOf = [&databases](PostgresClient& client, const std::vector<std::string>& present) {
        std::map<std::string, std::string> out;
        for (const auto& db : databases) {
          if (std::find(present.begin(), present.end(), db) == present.end()) continue;
          for (const auto& [table, rows] : postgresRowCounts(client.queryJson(db, postgresCatalogQuery())))
            out[db + "." + table] = rows;
        }
        return out;
      };
      auto a = expected.count(name) ? expected.at(name) : countsOf(from, databases);
      auto b = countsOf(to, surveyPostgres(to, {}).databases);
      for (const auto& [table, rows] : a)
        out.push_back({name, table, rows, b.count(table) ? b[table] : "missing"});
      for (const auto& [table, rows] : b) {
        if (!a.count(table)) out.push_back({name, table, "missing", rows});
      }
    } else {
      RedisClient from(source, container, name, login), to(target, twin.id(), name + " (target)", login);
      std::map<std::string, std::string> a, b;
      if (expected.count(name)) {
        a = expected.at(name);
      } else {
        for (const auto& [key, value] : from.info("keyspace")) a[key] = std::to_string(keyCount(value));
      }
      for (const auto& [key, value] : to.info("keyspace")) b[key] = std::to_string(keyCount(value));
      for (const auto& [db, count] : a) out.push_back({name, db, count, b.count(db) ? b[db] : "0"});
      for (const auto& [db, count] : b) {
        if (!a.count(db)) out.push_back({name, db, "0", count});
      }
    }
    twin.stop();
  }
  return out;
}

}  // namespace

bool MigrationReport::identical() const {
  for (const auto& c : comparisons) {
    if (!c.same()) return false;
  }
  return true;
}

MigrationReport runMigration(dockerapi::Engine& source, const compose::Stack& stack,
                             dockerapi::Engine& target, const MigrationChecks& checks,
                             const MigrateSettings& settings) {
  auto started = Clock::now();
  source.apiVersion();
  target.apiVersion();
  std::string sourceImage = dockerapi::pickHelperImage(source, helperImages(stack));
  MigrationReport report;
  std::vector<std::string> created;
  SnapshotCounts expected;
  std::error_code ec;
  bool dirExisted = fs::exists(settings.targetDir, ec);  // and empty: the checks made sure
  {
    StackGuard guard(source);
    Progress progress(settings.terminal);
    try {
      // Stop: stopped, dependents first, so the raw copy of every volume is exact. Online: the
      // databases' own volumes are filled from their snapshots instead; the others stream live.
      auto plan = planBackup(stack, {settings.online ? Consistency::Online : Consistency::Stop, {}});
      for (const auto& objects : stack.settings.objects)
        spdlog::info(
            "objects {}: the bucket {} stays where it is: the stack on the target host reaches it "
            "through the same x-agentchat objects entry (its keys must be there too)",
            objects.name, objects.url);
      if (!settings.online) {
        for (const auto& c : plan.hold) {
          spdlog::info("stopping {} on the source", c.name);
          guard.stop(c.id, c.name, 30);
        }
      }
      std::set<std::string> raw;
      for (const auto& part : plan.parts) {
        if (part.kind == volumes::PartKind::Volume) raw.insert(part.source);
      }
      for (const auto& [key, volume] : stack.volumes) {
        if (!volume.exists) continue;
        auto info = source.inspectVolume(volume.name);
        dockerapi::VolumeSpec spec{info.name, info.driver, newVolumeLabels(info.labels, stack.name, key),
                                   info.options};
        target.createVolume(spec);
        created.push_back(info.name);
        report.volumes.push_back(info.name);
        if (!raw.count(info.name)) continue;
        auto& shown = progress.add("volume " + info.name);
        transferVolume({source, sourceImage, info.name}, {target, checks.targetHelperImage, info.name},
                       shown);
        report.bytes += shown.bytes;
        progress.finished(shown, shown.bytes);
      }
      if (settings.online)
        expected = moveDatabasesOnline(source, stack, target, guard, progress, plan.hold, report.bytes);
      writeProjectFiles(stack, settings);
      auto failed = guard.resumeAll();
      if (!failed.empty())
        throw MigrationFailed("the copy is complete, but " + failed.front() +
                              " did not start again on the source");
    } catch (const MigrationFailed&) {
      throw;
    } catch (const std::exception& e) {
      auto failed = guard.resumeAll();
      // A half-written target directory must not pass for a complete one.
      if (dirExisted) {
        for (const auto& entry : fs::directory_iterator(settings.targetDir, ec))
          fs::remove_all(entry.path(), ec);
      } else {
        fs::remove_all(settings.targetDir, ec);
      }
      throw MigrationFailed(
          "migration of " + stack.name + " to " + settings.targetName + " failed: " + e.what() +
          (failed.empty() ? "\nThe source stack runs as before (what was stopped was started again)."
                          : "\nOn the source, these did not start again: " + failed.front()) +
          removeCreated(target, created, settings.targetName));
    }
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  for (const auto& name : compose::startOrder(stack)) {
    const auto& service = stack.services.at(name);
    if (std::string id = liveContainer(source, service); !id.empty()) waitUntilServing(source, service, id);
  }
  report.comparisons = compareData(source, stack, target, expected);
  return report;
}

}  // namespace agentchat
