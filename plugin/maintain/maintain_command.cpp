#include "plugin/maintain/maintain_command.hpp"

#include <chrono>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "base/human_units.hpp"
#include "dockerapi/errors.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/databases/database_login.hpp"
#include "plugin/databases/postgres_catalog.hpp"
#include "plugin/databases/postgres_client.hpp"
#include "plugin/maintain/maintain_keys.hpp"
#include "plugin/maintain/maintain_logs.hpp"
#include "plugin/maintain/maintain_tables.hpp"
#include "plugin/repository/repository_location.hpp"

namespace agentchat {

namespace {

using nlohmann::ordered_json;

// Log retention in days (README: `maintain`): what the default report lists (nothing is deleted by default).
constexpr int kDefaultLogDays = 30;

struct Row {
  std::string step, service, target, status, detail;
  bool ok = true;
};

std::string seconds(double s) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << s << " s";
  return out.str();
}

class MaintainCommand : public Command {
 public:
  bool optimize = false, analyze = false, dryRun = false, json = false;
  std::optional<int> logsOlderThan;
  std::optional<std::int64_t> defaultTtl;

  int run(Session& session) override {
    if (logsOlderThan && *logsOlderThan < 0)
      throw std::invalid_argument("--logs-older-than must be >= 0 days");
    if (defaultTtl && *defaultTtl <= 0) throw std::invalid_argument("--set-default-ttl must be > 0 seconds");
    auto started = std::chrono::steady_clock::now();
    compose::Stack stack = loadStack(session);
    // OPTIMIZE rebuilds (and locks) tables and log deletion removes files: only when asked.
    bool selected = optimize || analyze || logsOlderThan;
    bool doAnalyze = analyze || !selected;
    bool doRedis = !selected || defaultTtl;
    bool doLogs = !selected || logsOlderThan;
    bool deleteLogs = logsOlderThan && !dryRun;
    std::int64_t cutoff = std::time(nullptr) - std::int64_t{logsOlderThan.value_or(kDefaultLogDays)} * 86400;

    for (const auto& name : compose::startOrder(stack)) {
      const auto& s = stack.services.at(name);
      if (s.settings.skip) continue;
      std::string container = runningContainer(s);
      auto guarded = [&](const std::string& step, const std::string& target, const auto& body) {
        if (container.empty()) {
          fail(step, name, target, "not running (start it: docker compose start " + name + ")");
          return;
        }
        try {
          body();
        } catch (const dockerapi::EngineError& e) {
          if (e.kind() == dockerapi::ErrorKind::Unreachable) throw;
          fail(step, name, target, e.what());
        } catch (const std::runtime_error& e) {
          fail(step, name, target, e.what());
        }
      };
      if (s.role == compose::Role::Mysql && (doAnalyze || optimize)) {
        guarded(optimize ? "optimize" : "analyze", "",
                [&] { maintainMysql(session, s, container, doAnalyze); });
      }
      if (s.role == compose::Role::Postgres && (doAnalyze || optimize)) {
        guarded(optimize ? "vacuum-full" : "vacuum", "", [&] { maintainPostgres(session, s, container); });
      }
      if (s.role == compose::Role::Redis && doRedis) {
        guarded("redis-ttl", "", [&] { maintainRedis(session, s, container); });
      }
      if (doLogs) {
        for (const auto& path : s.settings.logs) {
          guarded("logs", path, [&] { maintainLogs(session, name, container, path, cutoff, deleteLogs); });
        }
      }
    }
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    bool ok = failures_.empty();
    out_["project"] = stack.name;
    out_["dryRun"] = dryRun;
    out_["ok"] = ok;
    out_["exitCode"] = ok ? exit_code::kOk : exit_code::kFailed;
    out_["seconds"] = took;
    out_["failures"] = failures_;
    for (const char* group : {"tables", "logs", "redis"}) {
      if (!out_.contains(group)) out_[group] = ordered_json::array();
    }
    print(stack.name, ok, took);
    if (!dryRun) {
      audit["repository"] = repositoryLocation(session, stack);
      audit["project"] = stack.name;
      audit["tables"] = out_["tables"].size();
      audit["logFilesDeleted"] = deletedFiles_;
      audit["bytesFreed"] = bytesFreed_;
      audit["keysExpired"] = keysExpired_;
    }
    return ok ? exit_code::kOk : exit_code::kFailed;
  }

 private:
  void fail(const std::string& step, const std::string& service, const std::string& target,
            const std::string& why) {
    rows_.push_back({step, service, target, "FAILED", why, false});
    failures_.push_back(step + " " + service + (target.empty() ? "" : " " + target) + ": " + why);
  }

  void maintainMysql(Session& session, const compose::StackService& s, const std::string& container,
                     bool alsoAnalyze) {
    auto login = databaseLogin(session.engine(), s);
    if (!login) throw std::runtime_error("no MySQL login in the container's environment");
    MysqlClient client(session.engine(), container, s.name, *login);
    auto tables = baseTables(client, s.settings.databases);
    std::vector<std::string> operations;
    if (optimize) operations.push_back("OPTIMIZE");
    if (alsoAnalyze) operations.push_back("ANALYZE");
    for (const auto& operation : operations) {
      std::string step = operation == "OPTIMIZE" ? "optimize" : "analyze";
      if (dryRun) {
        for (const auto& t : tables)
          rows_.push_back({step, s.name, t.qualified(), "dry run", "not run", true});
        continue;
      }
      for (const auto& result : maintainTables(client, operation, tables)) {
        std::string notes;
        for (const auto& n : result.notes) notes += "; " + n;
        std::string detail = seconds(result.seconds) + (result.ok ? "" : ": " + result.status) + notes;
        rows_.push_back(
            {step, s.name, result.name.qualified(), result.ok ? "OK" : "FAILED", detail, result.ok});
        if (!result.ok)
          failures_.push_back(step + " " + s.name + " " + result.name.qualified() + ": " + result.status);
        out_["tables"].push_back({{"service", s.name},
                                  {"operation", step},
                                  {"database", result.name.database},
                                  {"table", result.name.table},
                                  {"ok", result.ok},
                                  {"status", result.status},
                                  {"notes", result.notes},
                                  {"seconds", result.seconds}});
      }
    }
  }

  // VACUUM (ANALYZE) per database: dead rows reclaimed for reuse and the planner's statistics fresh,
  // without locking out the apps; --optimize's VACUUM (FULL) rewrites the tables (locks each in turn).
  void maintainPostgres(Session& session, const compose::StackService& s, const std::string& container) {
    auto login = databaseLogin(session.engine(), s);
    if (!login) throw std::runtime_error("no PostgreSQL login in the container's environment");
    PostgresClient client(session.engine(), container, s.name, *login);
    auto survey = surveyPostgres(client, s.settings.databases);
    if (survey.standby) {  // read-only in recovery: its primary is vacuumed, and the standby replays that
      rows_.push_back({"vacuum", s.name, "(all)", "skipped", "a standby: VACUUM runs on its primary", true});
      return;
    }
    std::string step = optimize ? "vacuum-full" : "vacuum";
    std::string sql = optimize ? "VACUUM (FULL, ANALYZE)" : "VACUUM (ANALYZE)";
    for (const auto& database : survey.databases) {
      if (dryRun) {
        rows_.push_back({step, s.name, database, "dry run", "not run", true});
        continue;
      }
      auto began = std::chrono::steady_clock::now();
      std::string status = "OK";
      try {
        client.execute(database, sql);
      } catch (const PostgresError& e) {
        status = e.what();
      }
      double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      bool ok = status == "OK";
      rows_.push_back(
          {step, s.name, database, ok ? "OK" : "FAILED", seconds(took) + (ok ? "" : ": " + status), ok});
      if (!ok) failures_.push_back(step + " " + s.name + " " + database + ": " + status);
      out_["tables"].push_back({{"service", s.name},
                                {"operation", step},
                                {"database", database},
                                {"table", nullptr},
                                {"ok", ok},
                                {"status", status},
                                {"notes", ordered_json::array()},
                                {"seconds", took}});
    }
  }

  void maintainRedis(Session& session, const compose::StackService& s, const std::string& container) {
    RedisClient client(session.engine(), container, s.name, databaseLogin(session.engine(), s));
    auto reports = reportKeysWithoutTtl(client, dryRun ? std::nullopt : defaultTtl);
    for (const auto& r : reports) {
      std::string samples;
      for (const auto& k : r.samples) samples += (samples.empty() ? "" : ", ") + k;
      std::string detail =
          std::to_string(r.withoutTtl) + " of " + std::to_string(r.keys) + " keys without a TTL";
      if (!samples.empty()) detail += " (e.g. " + samples + ")";
      if (defaultTtl) {
        detail += dryRun ? "; would expire them in " + std::to_string(*defaultTtl) + " s"
                         : "; " + std::to_string(r.expired) + " now expire in " +
                               std::to_string(*defaultTtl) + " s";
      }
      rows_.push_back({"redis-ttl", s.name, "db" + std::to_string(r.db), "OK", detail, true});
      keysExpired_ += r.expired;
      out_["redis"].push_back({{"service", s.name},
                               {"db", r.db},
                               {"keys", r.keys},
                               {"withoutTtl", r.withoutTtl},
                               {"expired", r.expired},
                               {"samples", r.samples}});
    }
    if (reports.empty()) rows_.push_back({"redis-ttl", s.name, "", "OK", "no keys", true});
  }

  void maintainLogs(Session& session, const std::string& service, const std::string& container,
                    const std::string& path, std::int64_t cutoff, bool remove) {
    auto cleanup = cleanLogPath(session.engine(), container, path, cutoff, !remove);
    std::uint64_t freed = 0, listed = 0;
    ordered_json files = ordered_json::array();
    for (const auto& f : cleanup.files) {
      std::string status = f.deleted       ? "deleted"
                           : f.failed      ? "FAILED"
                           : logsOlderThan ? "would delete"
                                           : "older";
      rows_.push_back({"logs", service, f.path, status, base::humanBytes(f.bytes), !f.failed});
      if (f.failed) failures_.push_back("logs " + service + " " + f.path + ": could not delete it");
      if (f.deleted) {
        freed += f.bytes;
        ++deletedFiles_;
      }
      listed += f.bytes;
      files.push_back({{"path", f.path}, {"bytes", f.bytes}, {"mtime", f.mtime}, {"deleted", f.deleted}});
    }
    bytesFreed_ += freed;
    std::string summary = std::to_string(cleanup.files.size()) + " file(s) older than the cutoff, " +
                          base::humanBytes(remove ? freed : listed) + (remove ? " freed" : " (listed only)");
    if (!cleanup.error.empty()) summary = cleanup.error;
    if (!cleanup.ok && !cleanup.error.empty()) {
      fail("logs", service, path, cleanup.error);
    } else {
      rows_.push_back({"logs", service, path, cleanup.ok ? "OK" : "FAILED", summary, cleanup.ok});
    }
    out_["logs"].push_back({{"service", service},
                            {"path", path},
                            {"ok", cleanup.ok},
                            {"error", cleanup.error},
                            {"deleted", remove},
                            {"files", files},
                            {"bytesFreed", freed}});
  }

  void print(const std::string& project, bool ok, double took) const {
    if (json) {
      std::cout << out_.dump(2) << "\n";
      return;
    }
    std::cout << std::left << std::setw(10) << "STEP" << std::setw(10) << "SERVICE" << std::setw(36)
              << "TARGET" << std::setw(13) << "STATUS"
              << "DETAIL\n";
    for (const auto& r : rows_) {
      std::cout << std::left << std::setw(10) << r.step << std::setw(10) << r.service << std::setw(36)
                << r.target << std::setw(13) << r.status << r.detail << "\n";
    }
    std::cout << "maintain " << project << (dryRun ? " (dry run)" : "") << ": "
              << (ok ? "all steps passed" : std::to_string(failures_.size()) + " failed") << " in "
              << seconds(took) << "\n";
    for (const auto& f : failures_) std::cout << "  FAILED " << f << "\n";
  }

  std::vector<Row> rows_;
  std::vector<std::string> failures_;
  ordered_json out_ = ordered_json::object();
  std::uint64_t deletedFiles_ = 0, bytesFreed_ = 0, keysExpired_ = 0;
};

}  // namespace

RegisteredCommand addMaintainCommand(CLI::App& app) {
  auto command = std::make_unique<MaintainCommand>();
  auto* cli =
      app.add_subcommand("maintain",
                         "The weekly maintenance: ANALYZE/OPTIMIZE tables, old log files, Redis keys "
                         "without a TTL (default: ANALYZE and reports only; exit 1 when a step failed)");
  cli->add_flag("--analyze", command->analyze,
                "ANALYZE TABLE every base table the backup dumps; VACUUM (ANALYZE) each PostgreSQL database");
  cli->add_flag("--optimize", command->optimize,
                "OPTIMIZE TABLE every base table, VACUUM (FULL) each PostgreSQL database (rebuild and lock; "
                "only when asked)");
  cli->add_option("--logs-older-than", command->logsOlderThan,
                  "Delete log files older than DAYS days in the x-agentchat logs paths");
  cli->add_option("--set-default-ttl", command->defaultTtl,
                  "Give Redis keys without a TTL this one (SECONDS); otherwise they are only counted");
  cli->add_flag("--dry-run", command->dryRun, "List what would be done; change nothing");
  cli->add_flag("--json", command->json, "Print JSON");
  return {cli, std::move(command)};
}

}  // namespace agentchat
