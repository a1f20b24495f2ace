#include "plugin/cli.hpp"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

#include "base/error.hpp"
#include "base/utc_time.hpp"
#include "plugin/backup/backup_command.hpp"
#include "plugin/cli/argv.hpp"
#include "plugin/cli/build_info.hpp"
#include "plugin/cli/command.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/inspect_command.hpp"
#include "plugin/cli/logging.hpp"
#include "plugin/cli/metadata.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/cli/version_command.hpp"
#include "plugin/compat/compat_command.hpp"
#include "plugin/maintain/maintain_command.hpp"
#include "plugin/migrate/migrate_command.hpp"
#include "plugin/repository/bundle_commands.hpp"
#include "plugin/repository/copy_command.hpp"
#include "plugin/repository/repository_commands.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/restore/restore_command.hpp"
#include "plugin/schedule/schedule_command.hpp"
#include "plugin/status/status_command.hpp"
#include "volumes/audit_log.hpp"

namespace agentchat {

namespace {

void addGlobalOptions(CLI::App& app, GlobalOptions& global) {
  auto& c = global.connection;
  const char* group = "Docker global options";
  app.add_option("-c,--context", c.context, "Name of the docker context to use")->group(group);
  app.add_option("-H,--host", c.host, "Docker daemon socket to connect to")->group(group);
  app.add_option("--config", c.configDir, "Location of the docker client config files")->group(group);
  app.add_flag("-D,--debug", global.debug, "Enable debug output")->group(group);
  app.add_option("-l,--log-level", global.logLevel, "Log level (debug, info, warn, error, fatal)")
      ->group(group);
  app.add_flag("--tls", c.tls, "Use TLS; implied by --tlsverify")->group(group);
  app.add_flag("--tlsverify", c.tlsVerify, "Use TLS and verify the remote")->group(group);
  app.add_option("--tlscacert", c.tlsCaCert, "Trust certs signed only by this CA")->group(group);
  app.add_option("--tlscert", c.tlsCert, "Path to TLS certificate file")->group(group);
  app.add_option("--tlskey", c.tlsKey, "Path to TLS key file")->group(group);

  auto& p = global.project;
  const char* compose = "Compose project options";
  app.add_option("-p,--project-name", p.projectName, "Project name (default: as docker compose finds it)")
      ->group(compose);
  app.add_option("-f,--file", p.files, "Compose file (repeatable, merged in order)")->group(compose);
  app.add_option("--project-directory", p.projectDirectory, "Project directory (default: the first file's)")
      ->group(compose);
  app.add_option("--env-file", p.envFiles,
                 "Env file for interpolation (default: .env in the project directory)")
      ->group(compose);
  app.add_option("--profile", p.profiles, "Enable a compose profile (repeatable; added to COMPOSE_PROFILES)")
      ->group(compose);
  app.add_option("--log-format", global.logFormat,
                 "Log lines on stderr: text (default) or json, one object a line")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--repo", global.repository,
                 "Backup repository (default: AGENTCHAT_REPO, x-agentchat repository, or ./backups)");
}

// Runs the command and maps what it throws to an exit code; `error` gets the message printed.
int runCommand(Command& command, const GlobalOptions& global, const dockerapi::Environ& environ,
               std::string& error) {
  auto fail = [&](const std::string& message, int code) {
    error = message;
    std::cerr << "docker agentchat: " << message << "\n";
    return code;
  };
  try {
    Session session(global, environ);
    return command.run(session);
  } catch (const base::Error& e) {  // every error of ours carries its exit code
    return fail(e.report(), e.exitCode());
  } catch (const std::invalid_argument& e) {
    return fail(e.what(), exit_code::kUsage);
  } catch (const std::exception& e) {
    return fail(e.what(), exit_code::kFailed);
  }
}

// Who ran it, where, when; the line goes to the repository the command worked on.
void appendAuditLine(nlohmann::json entry, const dockerapi::Environ& environ) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const passwd* user = ::getpwuid(::geteuid());
  entry["time"] = base::utcTimestamp();
  entry["user"] = user != nullptr ? user->pw_name : std::to_string(::geteuid());
  entry["host"] = host;
  std::string repository = entry["repository"].get<std::string>(),
              project = entry["project"].get<std::string>();
  try {
    openRepository(repository, environ)->appendAudit(project, entry);
  } catch (const std::exception& e) {
    spdlog::warn("could not write the audit log: {}", e.what());
  }
}

}  // namespace

int runCli(const std::vector<std::string>& rawArgs, const dockerapi::Environ& environ) {
  if (!rawArgs.empty() && rawArgs.front() == "docker-cli-plugin-metadata") {
    std::cout << pluginMetadataJson() << "\n";
    return exit_code::kOk;
  }

  CLI::App app{
      "Back up, restore and migrate a whole docker-compose stack (MySQL/MariaDB, Redis, named volumes, "
      "config and logs) through the Docker Engine API.",
      "docker agentchat"};
  app.fallthrough();  // docker's global options are accepted after the command too
  app.require_subcommand(1);
  app.set_version_flag("-v,--version", std::string("docker-agentchat version ") + kVersion);
  app.footer(
      "Exit codes: 0 ok, 1 failed, 2 usage, 3 engine unreachable or unsupported, 4 not found, 5 restore "
      "and its rollback failed, 130 interrupted.\n"
      "Run 'docker agentchat COMMAND --help' for more information on a command.\n");
  GlobalOptions global;
  addGlobalOptions(app, global);

  std::vector<RegisteredCommand> commands;
  commands.push_back(addBackupCommand(app));
  commands.push_back(addListCommand(app));
  commands.push_back(addVerifyCommand(app));
  commands.push_back(addPruneCommand(app));
  commands.push_back(addCheckCommand(app));
  commands.push_back(addRestoreCommand(app));
  commands.push_back(addMigrateCommand(app));
  commands.push_back(addExportCommand(app));
  commands.push_back(addImportCommand(app));
  commands.push_back(addCopyCommand(app));
  commands.push_back(addCompatCommand(app));
  commands.push_back(addInspectCommand(app));
  commands.push_back(addStatusCommand(app));
  commands.push_back(addMaintainCommand(app));
  commands.push_back(addScheduleCommand(app));
  commands.push_back(addVersionCommand(app));

  std::vector<std::string> args = rewriteHelp(stripPluginName(rawArgs));
  std::vector<const char*> argv{"docker agentchat"};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (!app.remaining().empty() && app.get_subcommands().empty()) {
      message = "unknown command '" + app.remaining().front() + "'";
    }
    std::cerr << "docker agentchat: " << message << "\nSee 'docker agentchat --help'.\n";
    return exit_code::kUsage;
  }

  try {
    setupLogging(global.logLevel, global.debug, global.logFormat);
  } catch (const std::exception& e) {
    std::cerr << "docker agentchat: " << e.what() << "\n";
    return exit_code::kUsage;
  }
  RegisteredCommand* chosen = nullptr;
  for (auto& registered : commands) {
    if (registered.cli->parsed()) chosen = &registered;
  }
  if (chosen == nullptr) return exit_code::kUsage;
  auto started = std::chrono::steady_clock::now();
  std::string error;
  int code = runCommand(*chosen->command, global, environ, error);
  chosen->command->finished(code, error);
  auto& audit = chosen->command->audit;
  if (audit.contains("repository") && audit.contains("project")) {
    audit["command"] = chosen->cli->get_name();
    audit["outcome"] = code == exit_code::kOk ? "ok" : "failed";
    audit["exitCode"] = code;
    if (!error.empty()) audit["error"] = error;
    audit["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    appendAuditLine(audit, environ);
  }
  return code;
}

}  // namespace agentchat
