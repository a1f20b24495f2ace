#include "plugin/migrate/migrate_online.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <memory>
#include <thread>

#include "plugin/databases/database_login.hpp"
#include "plugin/databases/dump_row_counter.hpp"
#include "plugin/databases/mysql_catalog.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/mysql_dump.hpp"
#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_dump.hpp"
#include "plugin/databases/postgres_load.hpp"
#include "plugin/databases/postgres_snapshot.hpp"
#include "plugin/databases/redis_snapshot.hpp"
#include "plugin/guard/stack_guard.hpp"
#include "plugin/restore/redis_files.hpp"
#include "plugin/restore/restore_steps.hpp"
#include "plugin/restore/service_twin.hpp"
#include "volumes/stream_pipe.hpp"

namespace agentchat {

namespace {

// One stream from the source into the target, on its own thread; joined (and its pipe given up
// on) however the caller leaves.
struct Flow {
  volumes::StreamPipe pipe;
  std::thread producer;
  std::promise<void> snapshot;  // the producer's point in time exists
  std::once_flag snapshotOnce;
  void snapshotTaken() {
    std::call_once(snapshotOnce, [this] { snapshot.set_value(); });
  }
  ~Flow() {
    pipe.abandon();
    if (producer.joinable()) producer.join();
  }
};

void waitForSnapshot(Flow& flow, const std::string& what) {
  if (flow.snapshot.get_future().wait_for(kPauseLimit) != std::future_status::ready)
    spdlog::warn("{} took over {} s to fix its point in time; resuming the apps anyway", what,
                 kPauseLimit.count());
}

struct MysqlMove {
  const compose::StackService* service;
  std::unique_ptr<MysqlClient> from, to;
  MysqlSurvey survey;
  std::unique_ptr<ServiceTwin> twin;
  DumpRowCounter counter;
  Flow flow;
  Progress::Part* shown = nullptr;
  std::thread loader;
  dockerapi::ExecResult loaded;
  std::string errors;
  std::exception_ptr loadFailure;
  ~MysqlMove() {
    flow.pipe.abandon();
    if (loader.joinable()) loader.join();
  }
};

// A PostgreSQL server's roles (loaded before the pause: not part of the point in time) and its
// databases, each dumped in a snapshot taken inside the pause, into a stand-in on the target.
struct PostgresMove {
  const compose::StackService* service;
  std::unique_ptr<PostgresClient> from, to;
  PostgresSurvey survey;
  std::unique_ptr<ServiceTwin> twin;
  std::vector<std::unique_ptr<PostgresSnapshot>> snapshots;  // one per database, in survey order
};

struct RedisMove {
  const compose::StackService* service;
  std::string container;
  std::unique_ptr<RedisClient> from;
  RedisLayout layout;
  RedisSnapshotResult result;
  Flow flow;
};

}  // namespace

SnapshotCounts moveDatabasesOnline(dockerapi::Engine& source, const compose::Stack& stack,
                                   dockerapi::Engine& target, StackGuard& guard, Progress& progress,
                                   const std::vector<compose::StackContainer>& hold, std::uint64_t& bytes) {
  // Everything that can fail slowly happens before the pause: logins, surveys, the stand-ins.
  std::vector<std::unique_ptr<MysqlMove>> mysqls;
  std::vector<std::unique_ptr<RedisMove>> redises;
  std::vector<std::unique_ptr<PostgresMove>> postgreses;
  for (const auto& name : compose::startOrder(stack)) {
    const auto& service = stack.services.at(name);
    std::string container = liveContainer(source, service);
    if (service.role == compose::Role::Mysql) {
      auto login = databaseLogin(source, service);
      if (container.empty() || !login)
        throw std::runtime_error("service " + name + " is not running or has no login");
      auto move = std::make_unique<MysqlMove>();
      move->service = &service;
      move->from = std::make_unique<MysqlClient>(source, container, name, *login);
      move->survey = surveyMysql(*move->from, service.settings.databases);
      spdlog::info("initialising {}'s volume on the target", name);
      move->twin = std::make_unique<ServiceTwin>(target, service, source, container);
      move->twin->startAndWait();
      move->to = std::make_unique<MysqlClient>(target, move->twin->id(), name + " (target)", *login);
      mysqls.push_back(std::move(move));
    } else if (service.role == compose::Role::Redis) {
      if (container.empty()) throw std::runtime_error("service " + name + " is not running");
      auto move = std::make_unique<RedisMove>();
      move->service = &service;
      move->container = container;
      move->from = std::make_unique<RedisClient>(source, container, name, databaseLogin(source, service));
      move->layout = redisLayout(*move->from);
      if (!mountHolding(service, move->layout.dir))
        throw std::runtime_error("service " + name + " keeps its data in " + move->layout.dir +
                                 ", not on a volume");
      redises.push_back(std::move(move));
    } else if (service.role == compose::Role::Postgres) {
      auto login = databaseLogin(source, service);
      if (container.empty() || !login)
        throw std::runtime_error("service " + name +
                                 " is not running or has no PostgreSQL login (POSTGRES_PASSWORD or "
                                 "POSTGRES_PASSWORD_FILE)");
      auto move = std::make_unique<PostgresMove>();
      move->service = &service;
      move->from = std::make_unique<PostgresClient>(source, container, name, *login);
      move->survey = surveyPostgres(*move->from, service.settings.databases);
      if (move->survey.standby)
        throw std::runtime_error("service " + name +
                                 " is a standby (a replica): migrate the stack of its primary");
      spdlog::info("initialising {}'s volume on the target", name);
      move->twin = std::make_unique<ServiceTwin>(target, service, source, container);
      move->twin->startAndWait();
      move->to = std::make_unique<PostgresClient>(target, move->twin->id(), name + " (target)", *login);
      std::string roles;
      dumpPostgresGlobals(*move->from, [&roles](std::string_view sql) { roles.append(sql); });
      loadPostgresRoles(*move->to, roles);
      postgreses.push_back(std::move(move));
    }
  }

  for (const auto& c : hold) guard.pause(c.id, c.name);
  for (auto& move : postgreses) {
    for (const auto& database : move->survey.databases)
      move->snapshots.push_back(std::make_unique<PostgresSnapshot>(*move->from, database));
  }
  for (auto& m : mysqls) {
    auto* move = m.get();
    auto& shown = progress.add(move->service->name + " dump");
    move->shown = &shown;
    move->flow.producer = std::thread([move, &shown] {
      try {
        dumpMysql(
            *move->from, move->survey,
            [move, &shown](std::string_view sql) {
              move->counter.feed(sql);
              shown.bytes += sql.size();
              move->flow.pipe.write(sql);
            },
            [move] { move->flow.snapshotTaken(); });
        move->flow.pipe.close();
      } catch (...) {
        move->flow.pipe.fail(std::current_exception());
      }
      move->flow.snapshotTaken();
    });
    move->loader = std::thread([move] {
      try {
        std::vector<std::string> cmd{move->to->tools().client};
        for (auto& arg : move->to->loginArgs()) cmd.push_back(arg);
        cmd.push_back("--default-character-set=utf8mb4");
        move->loaded = move->to->run(
            cmd, [](std::string_view) {},
            [move](std::string_view e) {
              if (move->errors.size() < 4096) move->errors.append(e);
            },
            move->flow.pipe.source());
      } catch (...) {
        move->loadFailure = std::current_exception();
        move->flow.pipe.abandon();
      }
    });
    waitForSnapshot(move->flow, "the dump of " + move->service->name);
  }
  for (auto& r : redises) {
    auto* move = r.get();
    move->flow.producer = std::thread([move, &source] {
      try {
        move->result = snapshotRedis(
            source, *move->from, move->container, move->layout, move->flow.pipe.sink(),
            std::chrono::seconds(600), [move] { move->flow.snapshotTaken(); }, true);
        move->flow.pipe.close();
      } catch (...) {
        move->flow.pipe.fail(std::current_exception());
      }
      move->flow.snapshotTaken();
    });
    waitForSnapshot(move->flow, "the save of " + move->service->name);
  }
  auto failed = guard.resumeAll();
  if (!failed.empty())
    throw std::runtime_error("could not unpause " + failed.front() + ": docker unpause it");

  SnapshotCounts counts;
  for (auto& move : redises) {
    const auto& service = *move->service;
    RedisFilesJob job;
    // By name on the target: the source's Id may name nothing there (an Engine 29 on the containerd
    // store knows an image by its index digest, a classic engine by its config digest).
    job.image = service.image.empty() ? service.imageId : service.image;
    job.mount = *mountHolding(service, move->layout.dir);
    job.layout = move->layout;
    job.placeRdb = [&](const std::string& helper) {
      target.putArchive(helper, move->layout.dir, move->flow.pipe.source());
    };
    writeRedisFiles(target, job, &guard);
    move->flow.producer.join();
    bytes += move->result.rdbBytes;
    for (const auto& [db, keys] : move->result.keys) counts[service.name][db] = std::to_string(keys);
  }
  for (auto& move : mysqls) {
    move->loader.join();
    move->flow.producer.join();
    if (move->loadFailure) std::rethrow_exception(move->loadFailure);
    bytes += move->shown->bytes;
    progress.finished(*move->shown, move->shown->bytes);
    if (move->loaded.exitCode != 0) {
      auto at = move->errors.find("ERROR");
      throw std::runtime_error("loading the dump of " + move->service->name + " on the target failed: " +
                               move->errors.substr(at == std::string::npos ? 0 : at, 300));
    }
    for (const auto& [table, info] : move->survey.tables) {
      if (info.engine == "VIEW") continue;
      auto rows = move->counter.rows().find(table);
      counts[move->service->name][table] =
          std::to_string(rows == move->counter.rows().end() ? 0 : rows->second);
    }
    move->twin->stop();  // a clean shutdown: the files are complete for `compose up`
  }
  for (auto& move : postgreses) {
    const std::string& name = move->service->name;
    for (std::size_t i = 0; i < move->survey.databases.size(); ++i) {
      const std::string& database = move->survey.databases[i];
      auto& snapshot = *move->snapshots[i];
      auto& shown = progress.add(name + " " + database + " dump");
      Flow flow;
      flow.producer = std::thread([&] {
        try {
          dumpPostgresDatabase(*move->from, database, snapshot.id(), [&](std::string_view chunk) {
            shown.bytes += chunk.size();
            flow.pipe.write(chunk);
          });
          flow.pipe.close();
        } catch (...) {
          flow.pipe.fail(std::current_exception());
        }
      });
      try {
        recreatePostgresDatabase(*move->to, database, flow.pipe.source());
      } catch (const PostgresError& e) {
        throw std::runtime_error("loading database " + database + " of " + name +
                                 " on the target failed: " + e.what());
      }
      flow.producer.join();
      progress.finished(shown, shown.bytes);
      bytes += shown.bytes;
      auto rows = postgresRowCounts(snapshot.catalog());
      snapshot.close();
      for (const auto& [table, count] : rows) counts[name][database + "." + table] = count;
    }
    move->twin->stop();
  }
  return counts;
}

}  // namespace agentchat
