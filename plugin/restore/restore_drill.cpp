#include "plugin/restore/restore_drill.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "base/wait_until.hpp"
#include "dockerapi/errors.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/redis_client.hpp"
#include "plugin/databases/redis_snapshot.hpp"
#include "plugin/restore/manifest_checks.hpp"
#include "plugin/restore/postgres_drill.hpp"
#include "plugin/restore/sqlite_drill.hpp"
#include "plugin/restore/throwaway.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartTimeout = std::chrono::seconds(180);

DrillResult mysqlDrill(dockerapi::Engine& engine, const volumes::PartRecord& part,
                       const nlohmann::json& detail, const volumes::BackupRef& backup,
                       const volumes::PartKeys* keys) {
  DrillResult result{part.name, false, {}, 0};
  compose::DatabaseLogin login{"root", compose::Secret(drillToken()), false, "drill"};
  dockerapi::ContainerSpec spec;
  spec.image = detail.at("image").get<std::string>();
  // Both spellings: official mysql reads MYSQL_*, mariadb reads MARIADB_* and MYSQL_*.
  spec.env = {"MYSQL_ROOT_PASSWORD=" + login.password.reveal(),
              "MARIADB_ROOT_PASSWORD=" + login.password.reveal()};
  Throwaway box(engine, spec, {"/var/lib/mysql"}, "verify --deep " + part.name);
  engine.startContainer(box.id());
  MysqlClient client(engine, box.id(), part.service + " (drill)", login);
  // The entrypoint's temporary server runs with skip_networking; the real one without.
  base::waitUntil("the drill's MySQL server", kStartTimeout, [&] {
    if (!engine.inspectContainer(box.id()).running)
      throw std::runtime_error("the drill container exited (image " + spec.image + ")");
    try {
      return client.scalar("SELECT @@skip_networking").value_or("1") == "0";
    } catch (const std::exception&) {
      return false;
    }
  });
  volumes::PartReader reader(backup.open(part), part, keys);
  std::string errors;
  auto load = client.run(
      {client.tools().client, "-uroot"}, [](std::string_view) {},
      [&](std::string_view e) {
        if (errors.size() < 2000) errors.append(e);
      },
      reader.source());
  if (load.exitCode != 0) {
    result.problems.push_back("loading the dump failed (exit " + std::to_string(load.exitCode) +
                              "): " + errors.substr(0, errors.find('\n')));
    return result;
  }
  result.problems = mysqlProblems(client, detail);
  result.ok = result.problems.empty();
  return result;
}

DrillResult redisDrill(dockerapi::Engine& engine, const volumes::PartRecord& part,
                       const nlohmann::json& detail, const volumes::BackupRef& backup,
                       const volumes::PartKeys* keys) {
  DrillResult result{part.name, false, {}, 0};
  dockerapi::ContainerSpec spec;
  spec.image = detail.at("image").get<std::string>();
  spec.cmd = {"sh",           "-c",       kRedisServerScript, "drill", "--dir",  "/data",
              "--dbfilename", "dump.rdb", "--appendonly",     "no",    "--save", ""};
  Throwaway box(engine, spec, {"/data"}, "verify --deep " + part.name);
  {
    volumes::PartReader reader(backup.open(part), part, keys);
    engine.putArchive(box.id(), "/data", volumes::singleFileTar("dump.rdb", part.rawSize, reader.source()));
  }
  engine.startContainer(box.id());
  RedisClient client(engine, box.id(), part.service + " (drill)", std::nullopt);
  base::waitUntil("the drill's Redis server", kStartTimeout, [&] {
    if (!engine.inspectContainer(box.id()).running)
      throw std::runtime_error("the drill container exited: Redis refused the RDB file (image " + spec.image +
                               ")");
    std::string error;
    return client.ping(error) && client.info("persistence")["loading"] == "0";
  });
  result.problems = redisProblems(client, detail);
  result.ok = result.problems.empty();
  return result;
}

}  // namespace

std::vector<DrillResult> restoreDrill(dockerapi::Engine& engine, const volumes::Manifest& manifest,
                                      const volumes::BackupRef& backup, const volumes::PartKeys* keys) {
  std::vector<DrillResult> out;
  std::vector<std::string> postgresServices;  // drilled once each, all their databases in one server
  for (const auto& part : manifest.parts) {
    if (part.knownKind() == volumes::PartKind::PostgresDump ||
        part.knownKind() == volumes::PartKind::PostgresGlobals) {
      if (std::find(postgresServices.begin(), postgresServices.end(), part.service) == postgresServices.end())
        postgresServices.push_back(part.service);
      continue;
    }
    if (!part.knownKind()) {  // this version could not restore it: not proven restorable
      out.push_back({part.name,
                     false,
                     {"kind \"" + part.kind +
                      "\" is unknown to this version of docker-agentchat, which could "
                      "not restore it (a newer version wrote it?)"},
                     0});
      continue;
    }
    if (part.knownKind() == volumes::PartKind::Sqlite) {
      auto started = Clock::now();
      DrillResult result{part.name, false, {}, 0};
      try {
        result = sqliteDrill(part, backup, keys);
      } catch (const std::exception& e) {
        result.problems.push_back(e.what());
      }
      result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
      out.push_back(result);
      continue;
    }
    const char* section = part.knownKind() == volumes::PartKind::MysqlDump  ? "mysql"
                          : part.knownKind() == volumes::PartKind::RedisRdb ? "redis"
                                                                            : nullptr;
    if (section == nullptr) continue;
    auto started = Clock::now();
    DrillResult result{part.name, false, {}, 0};
    try {
      const auto& detail = manifest.details.at(section).at(part.service);
      result = section == std::string("mysql") ? mysqlDrill(engine, part, detail, backup, keys)
                                               : redisDrill(engine, part, detail, backup, keys);
    } catch (const std::exception& e) {
      result.problems.push_back(e.what());
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    out.push_back(result);
  }
  for (const auto& service : postgresServices) {
    for (auto& result : postgresDrill(engine, manifest, service, backup, keys))
      out.push_back(std::move(result));
  }
  return out;
}

}  // namespace agentchat
