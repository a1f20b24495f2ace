#include "plugin/status/postgres_checks.hpp"

#include "base/human_units.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/postgres_client.hpp"

namespace agentchat {

namespace {

// pg_current_wal_lsn() fails on a standby: each branch asks only what that side can answer.
constexpr const char* kStatusQuery = R"sql(SELECT json_build_object(
  'version', current_setting('server_version'),
  'connections', (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),
  'max', current_setting('max_connections')::int,
  'standby', pg_is_in_recovery(),
  'replayLagSeconds', CASE WHEN pg_is_in_recovery()
                      THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END,
  'replicas', CASE WHEN NOT pg_is_in_recovery() THEN (SELECT json_agg(json_build_object(
                  'name', application_name, 'lagBytes', pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)))
                FROM pg_stat_replication) END,
  'sizes', (SELECT json_object_agg(datname, pg_database_size(datname)) FROM pg_database
            WHERE NOT datistemplate AND datallowconn)))sql";

constexpr double kLagWarnSeconds = 30, kLagCriticalSeconds = 300;
constexpr double kLagWarnBytes = 16.0 * 1024 * 1024, kLagCriticalBytes = 1024.0 * 1024 * 1024;

Severity above(double value, double warn, double critical) {
  return value > critical ? Severity::Critical : value > warn ? Severity::Warning : Severity::Ok;
}

}  // namespace

std::vector<Check> postgresChecksFrom(const std::string& service, const nlohmann::json& answer) {
  std::vector<Check> checks;
  checks.push_back({service + " ready", Severity::Ok,
                    "accepting connections; PostgreSQL " + answer.value("version", std::string("?")) +
                        (answer.value("standby", false) ? " (standby)" : "")});
  double used = answer.value("connections", 0.0), max = answer.value("max", 0.0);
  checks.push_back({service + " connections", usageSeverity(used, max),
                    std::to_string(static_cast<long long>(used)) + "/" +
                        std::to_string(static_cast<long long>(max)) +
                        (max > 0 ? " (" + base::percent(used / max) + ")" : std::string()) +
                        "; warn > 80%, critical > 90%"});
  if (answer.value("standby", false)) {
    const auto& lag = answer["replayLagSeconds"];
    if (lag.is_number()) {
      double seconds = lag.get<double>();
      checks.push_back({service + " replication", above(seconds, kLagWarnSeconds, kLagCriticalSeconds),
                        "standby replaying " + std::to_string(static_cast<long long>(seconds)) +
                            " s behind its primary (warn > 30 s, critical > 300 s; an idle primary also "
                            "makes this grow)"});
    } else {
      checks.push_back(
          {service + " replication", Severity::Warning, "standby that has replayed nothing yet"});
    }
  } else if (answer["replicas"].is_array()) {
    double worst = 0;
    std::string names;
    for (const auto& r : answer["replicas"]) {
      double bytes = r["lagBytes"].is_number() ? r["lagBytes"].get<double>() : 0;
      worst = std::max(worst, bytes);
      names += (names.empty() ? "" : ", ") + r.value("name", std::string("?"));
    }
    checks.push_back({service + " replication", above(worst, kLagWarnBytes, kLagCriticalBytes),
                      std::to_string(answer["replicas"].size()) + " replica(s) (" + names +
                          "), the furthest " + base::humanBytes(static_cast<std::uint64_t>(worst)) +
                          " behind (warn > 16 MiB, critical > 1 GiB)"});
  }
  std::string sizes;
  if (answer["sizes"].is_object()) {
    for (const auto& [name, bytes] : answer["sizes"].items())
      sizes += (sizes.empty() ? "" : ", ") + name + " " + base::humanBytes(bytes.get<std::uint64_t>());
  }
  checks.push_back({service + " databases", Severity::Ok, sizes.empty() ? "none" : sizes});
  return checks;
}

void postgresChecks(dockerapi::Engine& engine, const compose::StackService& service,
                    std::vector<Check>& checks) {
  auto login = databaseLogin(engine, service);
  if (!login) {
    checks.push_back(
        {service.name + " ready", Severity::Unknown,
         "no credentials in the container's environment (POSTGRES_PASSWORD, POSTGRES_PASSWORD_FILE)"});
    return;
  }
  PostgresClient client(engine, runningContainer(service), service.name, *login);
  nlohmann::json answer;
  try {
    answer = client.queryJson(PostgresClient::kMaintenanceDatabase, kStatusQuery);
  } catch (const PostgresError& e) {
    checks.push_back({service.name + " ready", Severity::Critical, e.what()});
    return;
  }
  for (auto& check : postgresChecksFrom(service.name, answer)) checks.push_back(std::move(check));
}

}  // namespace agentchat
