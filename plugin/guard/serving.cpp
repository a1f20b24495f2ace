#include "plugin/guard/serving.hpp"

#include <chrono>

#include "base/wait_until.hpp"
#include "dockerapi/health_state.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/database_role.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/postgres_client.hpp"
#include "plugin/databases/redis_client.hpp"

namespace agentchat {

namespace {

constexpr auto kServeTimeout = std::chrono::seconds(180);

}  // namespace

std::string liveContainer(dockerapi::Engine& engine, const compose::StackService& service) {
  for (const auto& c : service.containers) {
    if (engine.inspectContainer(c.id).running) return c.id;
  }
  return {};
}

void waitUntilServing(dockerapi::Engine& engine, const compose::StackService& service,
                      const std::string& containerId) {
  waitUntilServing(engine, service, containerId,
                   isDatabase(service.role) ? databaseLogin(engine, service) : std::nullopt);
}

void waitUntilServing(dockerapi::Engine& engine, const compose::StackService& service,
                      const std::string& containerId, const std::optional<compose::DatabaseLogin>& login) {
  auto exited = [&](const dockerapi::ContainerInfo& info) {
    if (!info.running)
      throw NotServing("service " + service.name + ": container " + info.name +
                       " exited after it was started (see docker logs " + info.name + ")");
  };
  std::optional<MysqlClient> mysql;
  std::optional<RedisClient> redis;
  std::optional<PostgresClient> postgres;
  if (service.role == compose::Role::Postgres && login) {
    postgres.emplace(engine, containerId, service.name, *login);
  } else if (service.role == compose::Role::Mysql) {
    if (login) mysql.emplace(engine, containerId, service.name, *login);
  } else if (service.role == compose::Role::Redis) {
    redis.emplace(engine, containerId, service.name, login);
  }
  try {
    base::waitUntil("service " + service.name, kServeTimeout, [&] {
      auto info = engine.inspectContainer(containerId);
      exited(info);
      if (mysql) {
        // The entrypoint's first-run server has networking off; the real one answers with 0.
        try {
          return mysql->scalar("SELECT @@skip_networking").value_or("1") == "0";
        } catch (const std::exception&) {
          return false;
        }
      }
      if (postgres) {
        // The entrypoint's first-run server listens on no address; the real one does.
        try {
          auto listen = postgres->queryJson(PostgresClient::kMaintenanceDatabase,
                                            "SELECT to_json(current_setting('listen_addresses'))");
          return listen.is_string() && !listen.get<std::string>().empty();
        } catch (const std::exception&) {
          return false;
        }
      }
      if (redis) {
        std::string error;
        return redis->ping(error) && redis->info("persistence")["loading"] == "0";
      }
      std::string health = currentHealth(info);
      return health.empty() || health == "healthy";
    });
  } catch (const NotServing&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw NotServing(e.what());
  }
}

}  // namespace agentchat
