#include "plugin/compat/compat_check.hpp"

#include <algorithm>

#include "plugin/databases/database_login.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_client.hpp"
#include "plugin/databases/redis_client.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

namespace {

// "REDIS0010..." -> 10, "VALKEY080..." -> 80, from the first bytes of the stored part.
int rdbVersion(const volumes::BackupRef& backup, const volumes::PartRecord& record,
               const volumes::PartKeys* keys) {
  volumes::PartReader reader(backup.open(record), record, keys);
  char head[9];
  std::size_t got = 0;
  while (got < sizeof head) {
    std::size_t n = reader.read(head + got, sizeof head - got);
    if (n == 0) break;
    got += n;
  }
  int version = rdbVersionFromHeader(std::string(head, got));
  if (version < 0) throw std::runtime_error(record.name + ": not an RDB file");
  return version;
}

}  // namespace

std::vector<Finding> compatFindings(dockerapi::Engine& engine, const compose::Stack& stack,
                                    const volumes::Manifest& manifest, const volumes::BackupRef& backup,
                                    const volumes::PartKeys* keys) {
  std::vector<Finding> findings;
  // Named, not temporaries: items() refers to the object it iterates.
  const auto mysqlDetails = manifest.details.value("mysql", nlohmann::json::object());
  const auto redisDetails = manifest.details.value("redis", nlohmann::json::object());
  const auto postgresDetails = manifest.details.value("postgres", nlohmann::json::object());
  for (const auto& [service, detail] : mysqlDetails.items()) {
    auto it = stack.services.find(service);
    std::string container = it == stack.services.end() ? "" : runningContainer(it->second);
    if (container.empty()) {
      findings.push_back({Risk::Medium, service, "not running", "cannot compare: start it first"});
      continue;
    }
    auto login = databaseLogin(engine, it->second);
    if (!login)
      throw std::runtime_error("service " + service + ": no MySQL login in the container's environment");
    MysqlClient client(engine, container, service, *login);
    auto live = surveyMysql(client, detail.value("databases", std::vector<std::string>{}));
    for (auto& f : compareMysql(detail, live)) findings.push_back(std::move(f));
  }
  for (const auto& [service, detail] : redisDetails.items()) {
    auto it = stack.services.find(service);
    std::string container = it == stack.services.end() ? "" : runningContainer(it->second);
    const auto* part = manifest.part(detail.value("part", ""));
    if (container.empty() || part == nullptr) {
      findings.push_back({Risk::Medium, service, "not running", "cannot compare: start it first"});
      continue;
    }
    RedisClient client(engine, container, service, databaseLogin(engine, it->second));
    int version = rdbVersion(backup, *part, keys);
    for (auto& f : compareRedis(version, redisServerOf(detail), redisServerFrom(client.info("server"))))
      findings.push_back(std::move(f));
  }
  for (const auto& [service, detail] : postgresDetails.items()) {
    auto it = stack.services.find(service);
    std::string container = it == stack.services.end() ? "" : runningContainer(it->second);
    auto login = container.empty() ? std::nullopt : databaseLogin(engine, it->second);
    if (!login) {
      findings.push_back({Risk::Medium, service, container.empty() ? "not running" : "no login",
                          "cannot compare: start it first"});
      continue;
    }
    PostgresClient client(engine, container, service, *login);
    auto live =
        client.queryJson(PostgresClient::kMaintenanceDatabase,
                         "SELECT json_build_object('num', current_setting('server_version_num')::int, "
                         "'extensions', (SELECT json_agg(name) FROM pg_available_extensions))");
    PostgresTarget target{live.at("num").get<int>(), {}, {}};
    if (live.at("extensions").is_array())
      target.availableExtensions = live.at("extensions").get<std::vector<std::string>>();
    auto existing = surveyPostgres(client, {}).databases;
    const auto databases = detail.value("databases", nlohmann::json::object());
    for (const auto& [database, catalog] : databases.items()) {
      if (std::find(existing.begin(), existing.end(), database) == existing.end()) continue;
      auto& tables = target.tables[database];
      const auto columns = client.queryJson(database, postgresColumnsQuery());
      for (const auto& [table, list] : columns.items()) {
        auto& out = tables[table];
        if (!list.is_array()) continue;
        for (const auto& c : list)
          out.push_back({c.at(0).get<std::string>(), c.at(1).get<std::string>(), c.at(2).get<bool>()});
      }
    }
    for (auto& f : comparePostgres(service, detail, target)) findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace agentchat
