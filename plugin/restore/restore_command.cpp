#include "plugin/restore/restore_command.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/human_units.hpp"
#include "plugin/cli/build_info.hpp"
#include "plugin/cli/confirmation.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/compat/compat_check.hpp"
#include "plugin/guard/dead_run.hpp"
#include "plugin/hooks/hook_runner.hpp"
#include "plugin/repository/part_keys.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/restore/postgres_raw.hpp"
#include "plugin/restore/restore_plan.hpp"
#include "plugin/restore/restore_runner.hpp"
#include "plugin/restore/restore_steps.hpp"
#include "plugin/unattended/stack_secrets.hpp"
#include "volumes/part_check.hpp"

namespace agentchat {

namespace {

// The command that creates a project's missing containers, as the user would type it.
std::string composeUpCommand(const compose::Stack& stack, const std::vector<std::string>& services) {
  std::string out = "docker compose -p " + stack.name + " --project-directory " + stack.workingDir;
  for (const auto& f : stack.files) out += " -f " + f;
  out += " up -d";
  for (const auto& s : services) out += " " + s;
  return out;
}

class RestoreCommand : public Command {
 public:
  std::string which = "latest";
  std::string only;
  std::string toProject;
  bool dryRun = false;
  bool yes = false;
  bool force = false;
  bool noSafetySnapshot = false;
  bool json = false;
  int healthWait = -1;  // seconds; -1: each health check's own verdict time
  KeyOptions keyOptions;

  int run(Session& session) override {
    compose::Stack source = loadStack(session);
    auto opened = openRepository(session, source);
    volumes::Repository& repository = *opened;
    std::string id = resolveBackupId(repository, source.name, which);
    auto manifest = repository.read(source.name, id);
    volumes::BackupRef backup{&repository, source.name, id};

    // --to-project: the same compose files under another project name (a staging copy).
    std::optional<Session> targetSession;
    if (!toProject.empty() && toProject != source.name) {
      GlobalOptions options = session.options();
      options.project.projectName = toProject;
      targetSession.emplace(options, session.environ());
    }
    Session& on = targetSession ? *targetSession : session;
    compose::Stack target = targetSession ? loadStack(on) : source;
    auto& engine = on.engine();
    // A run that died may have left containers paused or stopped: undone before the plan reads them.
    if (!dryRun && undoDeadRunBeforePlanning(engine, repository, target.name))
      target = targetSession ? loadStack(on) : loadStack(session);
    RestorePlan plan = planRestore(manifest, target, parseRestoreSelection(only));
    if (!dryRun) {
      audit["repository"] = repository.location();
      audit["project"] = target.name;
      audit["backupId"] = id;
      audit["fromProject"] = source.name;
      audit["parts"] = nlohmann::json::array();
      for (const auto& item : plan.items)
        audit["parts"].push_back({{"name", item.part.name}, {"sha256", item.part.sha256}});
    }

    // An encrypted backup needs its key, and the safety snapshot (encrypted as x-agentchat says) a key
    // the rollback can open it with: both known before anything is read.
    auto keys = loadPartKeys(keyOptions);
    requireKeysFor(repository, manifest, keys);
    EncryptionChoice safetyEncryption;
    if (!noSafetySnapshot) {
      safetyEncryption = chooseEncryption({}, "", target);
      if (safetyEncryption.recipients.empty()) safetyEncryption = sameEncryptionAs(manifest, keys);
      keysForSafetySnapshot(safetyEncryption, keys);
    }

    // Nothing is touched before every part it will use has been read and checked in full.
    auto checkBegan = std::chrono::steady_clock::now();
    for (const auto& item : plan.items) {
      auto check = volumes::checkPart(backup, item.part, /*guardPaths=*/true, &keys);
      if (!check.ok) {
        audit["error"] = "part " + item.part.name + ": " + check.problem;
        std::cerr
            << "docker agentchat: backup " << id << ", part " << item.part.name << ": " << check.problem
            << "\nNothing was restored and nothing was changed. Restore another backup (docker agentchat "
               "list), or leave the part out with --only.\n";
        return exit_code::kFailed;
      }
    }
    double checkSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - checkBegan).count();
    auto missing = missingDatabases(target, plan);
    std::vector<Finding> findings;
    if (missing.empty()) {
      findings = compatFindings(engine, target, manifest, backup, &keys);
      for (auto& f : rawPostgresFindings(engine, target, plan, backup, &keys))
        findings.push_back(std::move(f));
    }
    printPlan(id, manifest, target, plan, findings);
    if (!missing.empty()) {
      std::cerr << "docker agentchat: project " << target.name << " has no container for "
                << fmt::format("{}", fmt::join(missing, ", "))
                << ", which the restore loads the backup into. Create them first:\n  "
                << composeUpCommand(target, missing) << "\nthen run the restore again.\n";
      return exit_code::kNotFound;
    }
    if (std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.refused; })) {
      std::cerr
          << "docker agentchat: the backup cannot be restored into the running stack (see above), not even "
             "with --force; nothing was changed.\n";
      return exit_code::kFailed;
    }
    if (worst(findings) == Risk::High && !findings.empty() && !force) {
      std::cerr << "docker agentchat: the backup is a high-risk match for the running stack (see above); "
                   "nothing was changed. Restore anyway with --force.\n";
      return exit_code::kFailed;
    }
    if (dryRun) {
      for (const auto& item : plan.items) {
        if (item.kind == volumes::PartKind::Objects)
          previewObjects(backup, manifest, target, item, &keys, session.environ(),
                         json ? std::cerr : std::cout);
      }
      return exit_code::kOk;
    }
    if (!confirmOnce(yes, "restoring backup " + id + " replaces the live data of " + target.name))
      return exit_code::kUsage;

    RestoreSettings settings;
    settings.safetySnapshot = !noSafetySnapshot;
    settings.keys = &keys;
    settings.safetyRecipients = std::move(safetyEncryption.recipients);
    settings.safetyEncryption = safetyEncryption.manifest;
    settings.terminal = ::isatty(STDERR_FILENO) == 1;
    settings.toolVersion = kVersion;
    settings.environ = session.environ();
    if (healthWait >= 0) settings.healthWait = std::chrono::seconds(healthWait);
    // The target's hooks, in the target's containers: a restore into another project may sanitise.
    HookRunner hooks(engine, target, stackSecrets(target),
                     {{"AGENTCHAT_PROJECT", target.name},
                      {"AGENTCHAT_BACKUP_ID", id},
                      {"AGENTCHAT_SOURCE_PROJECT", source.name}});
    struct RecordHooks {  // in the audit line however the restore ends
      HookRunner& hooks;
      nlohmann::json& audit;
      ~RecordHooks() {
        if (!hooks.records().empty()) audit["hooks"] = hooks.toJson();
      }
    } recordHooks{hooks, audit};
    try {
      hooks.runPre(HookPhase::PreRestore);  // before the safety snapshot: a failure changes nothing
    } catch (...) {
      hooks.runPost(HookPhase::PostRestore, false);  // undo what the services before the failure did
      throw;
    }
    try {
      RestoreReport report;
      try {
        report = runRestore(engine, target, repository, manifest, plan, settings);
      } catch (...) {
        hooks.runPost(HookPhase::PostRestore, false);  // rolled back or not, undo what the pre hooks did
        throw;
      }
      std::string postFailure = hooks.runPost(HookPhase::PostRestore, true);
      report.steps.insert(report.steps.begin(), {"check parts", checkSeconds});
      audit["safetySnapshot"] = report.safetySnapshot;
      nlohmann::json steps = nlohmann::json::array();
      for (const auto& s : report.steps) steps.push_back({{"step", s.step}, {"seconds", s.seconds}});
      nlohmann::json apps = nlohmann::json::array();
      for (const auto& a : report.apps)
        apps.push_back({{"service", a.service},
                        {"container", a.name},
                        {"before", a.before},
                        {"health", a.now},
                        {"seconds", a.seconds},
                        {"lastProbe", a.lastProbe}});
      bool unhealthy = std::any_of(report.apps.begin(), report.apps.end(),
                                   [](const AppHealth& a) { return a.newlyUnhealthy(); });
      if (unhealthy) audit["error"] = "restored and verified, but an app is not healthy";
      if (json) {
        std::cout << nlohmann::json{{"id", id},
                                    {"project", target.name},
                                    {"safetySnapshot", report.safetySnapshot},
                                    {"steps", steps},
                                    {"apps", apps},
                                    {"seconds", report.seconds}}
                         .dump(2)
                  << "\n";
      } else {
        printReport(id, target, plan, report);
      }
      printUnhealthyApps(report);
      if (unhealthy) return exit_code::kAppsUnhealthy;
      if (!postFailure.empty()) {
        std::string message = "restore of backup " + id + " is complete and verified, but its " + postFailure;
        std::cerr << "docker agentchat: " << message << "\n";
        audit["error"] = message;
        return exit_code::kFailed;
      }
      return exit_code::kOk;
    } catch (const RestoreFailed& e) {
      std::cerr << "docker agentchat: " << e.what() << "\n";
      audit["error"] = e.what();
      audit["rolledBack"] = e.rolledBack();
      return e.exitCode();  // 1 when rolled back, 5 when the rollback failed too
    }
  }

 private:
  static void printReport(const std::string& id, const compose::Stack& target, const RestorePlan& plan,
                          const RestoreReport& report) {
    std::cout << "restore of backup " << id << " into " << target.name << " complete in "
              << fmt::format("{:.1f}", report.seconds) << " s: " << plan.items.size() << " parts, verified"
              << (report.safetySnapshot.empty()
                      ? std::string()
                      : "; the state before is kept as backup " + report.safetySnapshot)
              << "\n";
    for (const auto& s : report.steps) std::cout << fmt::format("  {:<52} {:>7.1f} s\n", s.step, s.seconds);
    for (const auto& a : report.apps)
      std::cout << fmt::format("  app {} ({}): {} after {:.1f} s (before the restore: {})\n", a.service,
                               a.name, a.now, a.seconds, a.before);
  }

  // An app that is not healthy now is reported with what its check last said; the data stay.
  static void printUnhealthyApps(const RestoreReport& report) {
    for (const auto& a : report.apps) {
      if (a.fine()) continue;
      std::string what = a.now == "unknown"    ? "could not be watched"
                         : a.now == "exited"   ? "exited after it was started again"
                         : a.now == "starting" ? "has not passed its health check within " +
                                                     fmt::format("{:.0f}", a.seconds) + " s (--health-wait)"
                                               : "is unhealthy";
      std::cerr << "docker agentchat: " << (a.newlyUnhealthy() ? "" : "warning: ") << "service " << a.service
                << ": container " << a.name << " " << what
                << (a.lastProbe.empty()  ? std::string()
                    : a.now == "unknown" ? ": " + a.lastProbe
                                         : "; its last health check said: " + a.lastProbe)
                << "\n";
      if (a.newlyUnhealthy()) {
        std::cerr
            << "  The data were restored and verified and are kept (nothing was rolled back). See `docker "
               "logs "
            << a.name << "` and fix the app"
            << (report.safetySnapshot.empty()
                    ? std::string(".")
                    : ", or return to the state before with `docker agentchat restore " +
                          report.safetySnapshot + " --yes`.")
            << "\n";
      } else {
        std::cerr << "  It was " << a.before
                  << " before the restore too, so this is not counted as a failure.\n";
      }
    }
  }

  // Database services the plan loads into that have no container at all.
  static std::vector<std::string> missingDatabases(const compose::Stack& target, const RestorePlan& plan) {
    std::vector<std::string> out;
    for (const auto& item : plan.items) {
      bool database = item.kind == volumes::PartKind::MysqlDump || item.kind == volumes::PartKind::RedisRdb ||
                      item.kind == volumes::PartKind::PostgresDump;
      if (database && target.services.at(item.service).containers.empty() &&
          std::find(out.begin(), out.end(), item.service) == out.end())
        out.push_back(item.service);
    }
    return out;
  }

  void printPlan(const std::string& id, const volumes::Manifest& manifest, const compose::Stack& target,
                 const RestorePlan& plan, const std::vector<Finding>& findings) const {
    std::ostream& out = json ? std::cerr : std::cout;
    out << "restore plan: backup " << id << " of " << manifest.project << " (" << manifest.createdAt << ", "
        << manifest.consistency << ") into " << target.name << "\n";
    for (const auto& item : plan.items) {
      out << "  " << std::left << std::setw(28) << item.part.name << " ";
      if (item.kind == volumes::PartKind::MysqlDump)
        out << "databases recreated and loaded into service " << item.service;
      if (item.kind == volumes::PartKind::RedisRdb)
        out << "replaces the data of service " << item.service << " (stopped, swapped, started)";
      if (item.kind == volumes::PartKind::PostgresGlobals)
        out << "roles and grants into service " << item.service << " (its login keeps its password)";
      if (item.kind == volumes::PartKind::PostgresDump)
        out << "database " << item.part.source << " dropped and restored into service " << item.service;
      if (item.kind == volumes::PartKind::Volume) out << "replaces the contents of volume " << item.volume;
      if (item.kind == volumes::PartKind::Sqlite)
        out << "consistent SQLite copies laid over volume " << item.volume;
      if (item.kind == volumes::PartKind::Config)
        out << "compose files, .env, bind mounts back in " << target.workingDir << " and their host paths";
      if (item.kind == volumes::PartKind::Logs)
        out << "log files added back to " << item.service << ":" << item.path;
      if (item.kind == volumes::PartKind::Objects)
        out << "objects missing or different PUT back into x-agentchat objects." << item.path
            << " (others left alone)";
      out << " (" << base::humanBytes(item.part.rawSize) << ")\n";
    }
    if (!plan.stop.empty()) {
      out << "stopped during the restore, started again after:";
      for (const auto& c : plan.stop) out << " " << c.name;
      out << "\n";
    }
    for (const auto& v : plan.missingVolumes) out << "  volume " << v << " does not exist: created\n";
    out << (noSafetySnapshot
                ? "no safety snapshot (--no-safety-snapshot): a failure cannot be rolled back\n"
                : "a safety snapshot of what is replaced is taken first; a failed step rolls back to it\n");
    for (const auto& note : plan.notes) out << "  note: " << note << "\n";
    if (!findings.empty()) {
      out << "compat: " << riskName(worst(findings)) << " risk\n";
      for (const auto& f : findings)
        out << "  " << std::left << std::setw(7) << riskName(f.risk) << f.subject << ": " << f.change << " — "
            << f.reason << "\n";
    }
  }
};

}  // namespace

RegisteredCommand addRestoreCommand(CLI::App& app) {
  auto command = std::make_unique<RestoreCommand>();
  auto* cli = app.add_subcommand(
      "restore",
      "Restore a backup into the stack: safety snapshot, stop the apps, MySQL, Redis, files, start, verify; "
      "a failed step rolls back");
  cli->add_option("backup", command->which, "Backup id, or latest (default)");
  cli->add_option(
      "--only", command->only,
      "Comma-separated: mysql,redis,postgres,volumes,config,logs,objects,volume:NAME,objects:NAME");
  cli->add_option("--to-project", command->toProject,
                  "Restore into this compose project (e.g. a staging copy) instead of the backup's own");
  cli->add_flag("--dry-run", command->dryRun, "Check the backup and print the plan; change nothing");
  cli->add_flag("-y,--yes", command->yes, "Do not ask for confirmation (required without a terminal)");
  cli->add_flag("--force", command->force, "Restore even when compat rates the backup high risk");
  cli->add_flag("--no-safety-snapshot", command->noSafetySnapshot,
                "Skip the backup of the current state (a failed restore then cannot roll back)");
  cli->add_flag("--json", command->json, "Print the result as JSON (the plan goes to stderr)");
  cli->add_option("--health-wait", command->healthWait,
                  "Seconds to wait for the apps' health checks after the data are verified (default: as long "
                  "as each check may take to decide)")
      ->check(CLI::Range(0, 86400));
  addKeyOptions(cli, command->keyOptions);
  return {cli, std::move(command)};
}

}  // namespace agentchat
