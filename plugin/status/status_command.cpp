#include "plugin/status/status_command.hpp"

#include <sys/statvfs.h>

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/human_units.hpp"
#include "compose/error.hpp"
#include "dockerapi/errors.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/mysql_client.hpp"
#include "plugin/databases/redis_client.hpp"
#include "plugin/databases/redis_server.hpp"
#include "plugin/guard/dead_run.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/schedule/schedule_record.hpp"
#include "plugin/status/backup_checks.hpp"
#include "plugin/status/health.hpp"
#include "plugin/status/postgres_checks.hpp"

namespace agentchat {

namespace {

std::uint64_t number(const std::map<std::string, std::string>& info, const std::string& key) {
  auto it = info.find(key);
  if (it == info.end()) return 0;
  try {
    return std::stoull(it->second);
  } catch (const std::exception&) {
    return 0;
  }
}

void mysqlChecks(dockerapi::Engine& engine, const compose::StackService& s, std::vector<Check>& checks) {
  std::string prefix = s.name;
  auto login = databaseLogin(engine, s);
  if (!login) {
    checks.push_back(
        {prefix + " alive", Severity::Unknown,
         "no credentials in the container's environment (MYSQL_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD, "
         "*_FILE, MYSQL_USER/MYSQL_PASSWORD)"});
    return;
  }
  MysqlClient client(engine, runningContainer(s), s.name, *login);
  std::string error;
  if (!client.ping(error)) {
    checks.push_back({prefix + " alive", Severity::Critical, client.tools().admin + " ping: " + error});
    return;
  }
  auto version = client.scalar("SELECT VERSION()").value_or("?");
  checks.push_back(
      {prefix + " alive", Severity::Ok, client.tools().admin + " ping: alive; server " + version});
  auto rows = client.query(
      "SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE "
      "VARIABLE_NAME='THREADS_CONNECTED'), "
      "@@GLOBAL.max_connections");
  if (!rows.empty() && rows[0].size() == 2 && rows[0][0] && rows[0][1]) {
    double used = std::stod(*rows[0][0]);
    double max = std::stod(*rows[0][1]);
    checks.push_back({prefix + " connections", usageSeverity(used, max),
                      *rows[0][0] + "/" + *rows[0][1] + " (" + base::percent(used / max) +
                          "; warn > 80%, critical > 90%)"});
  }
}

void redisChecks(dockerapi::Engine& engine, const compose::StackService& s, std::vector<Check>& checks) {
  std::string prefix = s.name;
  RedisClient client(engine, runningContainer(s), s.name, databaseLogin(engine, s));
  std::string error;
  if (!client.ping(error)) {
    checks.push_back({prefix + " ping", Severity::Critical, error});
    return;
  }
  auto info = client.info();
  auto server = redisServerFrom(info);  // Valkey's redis_version is always 7.2.4
  checks.push_back({prefix + " ping", Severity::Ok,
                    std::string("PONG; ") + flavourName(server.flavour) + " " + server.version});
  std::uint64_t used = number(info, "used_memory"), max = number(info, "maxmemory");
  checks.push_back({prefix + " memory", usageSeverity(static_cast<double>(used), static_cast<double>(max)),
                    base::humanBytes(used) +
                        (max ? " of " + base::humanBytes(max) + " (" +
                                   base::percent(static_cast<double>(used) / static_cast<double>(max)) + ")"
                             : std::string(" (no maxmemory set)"))});
  std::uint64_t hits = number(info, "keyspace_hits"), misses = number(info, "keyspace_misses");
  checks.push_back({prefix + " hit rate", hitRateSeverity(hits, misses),
                    hits + misses == 0
                        ? std::string("no lookups yet")
                        : base::percent(static_cast<double>(hits) / static_cast<double>(hits + misses)) +
                              " of " + std::to_string(hits + misses) +
                              " lookups (warn < 85%, critical < 70%)"});
  bool rdbOk = info["rdb_last_bgsave_status"] == "ok";
  bool aof = info["aof_enabled"] == "1";
  bool aofOk = !aof || info["aof_last_write_status"] == "ok";
  checks.push_back(
      {prefix + " persistence", rdbOk && aofOk ? Severity::Ok : Severity::Critical,
       "last RDB save " + info["rdb_last_bgsave_status"] + "; AOF " +
           (aof ? "on (last write " + info["aof_last_write_status"] + ")" : std::string("off"))});
}

void diskChecks(Session& session, const compose::Stack& stack, const volumes::Repository& repository,
                std::vector<Check>& checks) {
  nlohmann::json df = session.engine().systemDf();
  std::string sizes;
  for (const auto& [key, volume] : stack.volumes) {
    for (const auto& v : df.value("Volumes", nlohmann::json::array())) {
      if (v.value("Name", "") != volume.name) continue;
      auto size = v.value("/UsageData/Size"_json_pointer, std::int64_t{-1});
      sizes += (sizes.empty() ? "" : ", ") + key + " " +
               (size >= 0 ? base::humanBytes(static_cast<std::uint64_t>(size)) : "?");
    }
  }
  checks.push_back({"volumes", Severity::Ok, sizes.empty() ? "no volumes on the engine yet" : sizes});

  auto repo = repositoryLocation(session, stack);
  std::filesystem::path probe = isS3Location(repo) ? "" : repo;
  std::error_code ec;
  while (!probe.empty() && !std::filesystem::exists(probe, ec)) probe = probe.parent_path();
  struct statvfs fs {};
  if (!probe.empty() && ::statvfs(probe.c_str(), &fs) == 0) {
    std::uint64_t total = static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize;
    std::uint64_t available = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    checks.push_back(
        {"repository disk", diskSeverity(total, available),
         repo + ": " + base::humanBytes(available) + " free of " + base::humanBytes(total) + " (" +
             base::percent(total ? static_cast<double>(total - available) / static_cast<double>(total) : 0) +
             " used; warn > 85%, critical > 95%)"});
  }
  std::vector<BackupEntry> backups;
  try {
    backups = completeBackups(repository, stack.name);
  } catch (const volumes::RepositoryError& e) {
    checks.push_back({"backups", Severity::Critical, e.what()});
    return;
  }
  if (!backups.empty() || isS3Location(repo) || std::filesystem::exists(repo, ec)) {
    std::optional<double> age;
    if (!backups.empty()) age = backups.front().ageHours;
    char ageText[32] = "none";
    if (age) std::snprintf(ageText, sizeof ageText, "%.1f h ago", *age);
    checks.push_back({"backups", backupSeverity(age, backups.size()),
                      std::to_string(backups.size()) + " complete, newest " + ageText +
                          " (warn if older than 26 h or fewer than 7)"});
  } else {
    checks.push_back({"backups", Severity::Ok, "no repository yet at " + repo});
  }
}

// A backup or restore killed with -9 leaves containers paused or stopped: `status` is where a person
// (or a monitor) looks first, so it undoes that here, as the next backup would, and says so.
std::optional<Check> lastRunCheck(Session& session, const compose::Stack& stack,
                                  volumes::Repository& repository) {
  try {
    auto dead = undoDeadRun(session.engine(), repository, stack.name);
    if (dead.done.empty()) return std::nullopt;
    std::string detail;
    for (const auto& line : dead.done) detail += (detail.empty() ? "" : "; ") + line;
    return Check{"last run", dead.dataAtRisk ? Severity::Critical : Severity::Warning, detail};
  } catch (const std::runtime_error& e) {
    return Check{"last run", Severity::Critical, e.what()};
  }
}

class StatusCommand : public Command {
 public:
  bool json = false;
  std::string format = "text";

  int run(Session& session) override {
    std::vector<Check> checks;
    std::string project;
    std::optional<BackupFacts> facts;
    try {
      compose::Stack stack = loadStack(session);
      project = stack.name;
      // An S3 repository without credentials, say: the checks of the stack itself still run.
      std::unique_ptr<volumes::Repository> repository;
      try {
        repository = openRepository(session, stack);
      } catch (const volumes::RepositoryError& e) {
        checks.push_back({"repository", Severity::Critical, e.what()});
      }
      if (auto lastRun = repository ? lastRunCheck(session, stack, *repository) : std::nullopt) {
        checks.push_back(*lastRun);
        if (lastRun->severity != Severity::Unknown) stack = loadStack(session);  // containers resumed since
      }
      dockerapi::Engine& engine = session.engine();
      for (const auto& name : compose::startOrder(stack)) {
        const auto& s = stack.services.at(name);
        if (s.containers.empty()) {
          checks.push_back(
              {"service " + name, Severity::Critical, "no container (start it with `docker compose up -d`)"});
          continue;
        }
        const auto& c = s.containers.front();
        checks.push_back({"service " + name, containerSeverity(c.state, c.health),
                          c.state + (c.health && c.state == "running" ? ", " + *c.health : std::string{})});
        if (!s.running()) continue;
        try {
          if (s.role == compose::Role::Mysql) mysqlChecks(engine, s, checks);
          if (s.role == compose::Role::Redis) redisChecks(engine, s, checks);
          if (s.role == compose::Role::Postgres) postgresChecks(engine, s, checks);
        } catch (const dockerapi::EngineError& e) {
          if (e.kind() == dockerapi::ErrorKind::Unreachable) throw;
          checks.push_back({name + " (" + compose::roleName(s.role) + ")", Severity::Critical, e.what()});
        } catch (const std::runtime_error& e) {
          checks.push_back({name + " (" + compose::roleName(s.role) + ")", Severity::Critical, e.what()});
        }
      }
      if (repository) {
        diskChecks(session, stack, *repository, checks);
        if (auto scheduled = lastScheduledRunCheck(*repository, stack.name)) checks.push_back(*scheduled);
        facts = readBackupFacts(*repository, stack.name);
        for (auto& check : backupChecks(*facts)) checks.push_back(std::move(check));
      }
    } catch (const ProjectNotFound& e) {
      checks.push_back({"project", Severity::Unknown, e.what()});
    } catch (const compose::Error& e) {
      checks.push_back({"project", Severity::Unknown, e.what()});
    } catch (const dockerapi::EngineError& e) {
      checks.push_back({"engine", Severity::Unknown, e.what()});
    }
    Severity overall = worstOf(checks);
    if (format == "prometheus") {
      printPrometheus(project, overall, facts);
    } else {
      print(project, overall, checks);
    }
    return static_cast<int>(overall);
  }

 private:
  static void printPrometheus(const std::string& project, Severity overall,
                              const std::optional<BackupFacts>& facts) {
    if (facts) std::cout << prometheusText(*facts);
    std::string label = nlohmann::json(project).dump();  // a quoted, escaped label value
    std::cout << "# HELP agentchat_status The status verdict: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
              << "# TYPE agentchat_status gauge\n"
              << "agentchat_status{project=" << label << "} " << static_cast<int>(overall) << "\n";
  }

  void print(const std::string& project, Severity overall, const std::vector<Check>& checks) const {
    if (json || format == "json") {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& c : checks) {
        list.push_back({{"check", c.name}, {"status", severityName(c.severity)}, {"detail", c.detail}});
      }
      nlohmann::ordered_json out = {{"project", project},
                                    {"status", severityName(overall)},
                                    {"exitCode", static_cast<int>(overall)},
                                    {"checks", list}};
      std::cout << out.dump(2) << "\n";
      return;
    }
    std::cout << "AGENTCHAT " << severityName(overall) << (project.empty() ? "" : " - project " + project)
              << "\n";
    for (const auto& c : checks) {
      std::cout << "  " << std::left << std::setw(9) << severityName(c.severity) << std::setw(28) << c.name
                << c.detail << "\n";
    }
  }
};

}  // namespace

RegisteredCommand addStatusCommand(CLI::App& app) {
  auto command = std::make_unique<StatusCommand>();
  auto* cli = app.add_subcommand("status",
                                 "Health of the stack, its databases, disks and backups (exit 0 OK, 1 "
                                 "WARNING, 2 CRITICAL, 3 UNKNOWN)");
  cli->add_flag("--json", command->json, "Print JSON (the same as --format json)");
  cli->add_option(
         "--format", command->format,
         "text (default), json, or prometheus: the backup metrics of x-agentchat metrics_file, live, "
         "and the verdict as agentchat_status")
      ->check(CLI::IsMember({"text", "json", "prometheus"}));
  return {cli, std::move(command)};
}

}  // namespace agentchat
