#include "plugin/schedule/schedule_command.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/schedule/schedule_install.hpp"
#include "plugin/schedule/schedule_record.hpp"
#include "plugin/schedule/schedule_run.hpp"
#include "volumes/s3_repository.hpp"

namespace agentchat {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> fromEnviron(const Session& session, const char* key) {
  auto it = session.environ().find(key);
  if (it == session.environ().end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::optional<std::string> absolute(const std::optional<std::string>& path) {
  if (!path) return path;
  return fs::absolute(*path).string();
}

// cron and systemd start the run with none of this shell's environment or working directory: the
// project, its files, the repository and the engine are pinned as absolute options, as found now.
GlobalOptions pinned(const Session& session, const compose::Stack& stack) {
  GlobalOptions o = session.options();
  o.project.projectName = stack.name;
  o.project.files.clear();
  for (const auto& f : stack.files) o.project.files.push_back(fs::absolute(f).string());
  o.project.projectDirectory = fs::absolute(stack.workingDir).string();
  for (auto& f : o.project.envFiles) f = fs::absolute(f).string();
  if (o.repository || fromEnviron(session, "AGENTCHAT_REPO"))
    o.repository = repositoryLocation(session, stack);
  auto& c = o.connection;
  if (!c.host && !c.context) {
    c.host = fromEnviron(session, "DOCKER_HOST");
    if (!c.host) c.context = fromEnviron(session, "DOCKER_CONTEXT");
  }
  if (!c.configDir) c.configDir = fromEnviron(session, "DOCKER_CONFIG");
  c.configDir = absolute(c.configDir);
  c.tlsCaCert = absolute(c.tlsCaCert);
  c.tlsCert = absolute(c.tlsCert);
  c.tlsKey = absolute(c.tlsKey);
  o.logFormat = "text";
  return o;
}

// An S3 repository's settings that are no secret, as NAME=value for `env`, so the scheduled run
// reaches the same bucket and keeps its lock and journal where manual runs do. Keys are never
// written into a unit or cron entry: they come from the credentials file, which is pinned here.
std::vector<std::string> pinnedS3Environment(const Session& session, const compose::Stack& stack) {
  if (!isS3Location(repositoryLocation(session, stack))) return {};
  std::vector<std::string> pinned;
  for (const char* key : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
                          "AWS_PROFILE", "AWS_S3_FORCE_PATH_STYLE", "AGENTCHAT_S3_PATH_STYLE",
                          "AGENTCHAT_S3_PART_SIZE_MIB", "AWS_CONFIG_FILE"}) {
    if (auto value = fromEnviron(session, key)) pinned.push_back(std::string(key) + "=" + *value);
  }
  auto credentials = fromEnviron(session, "AWS_SHARED_CREDENTIALS_FILE");
  auto home = fromEnviron(session, "HOME");
  if (!credentials && home) credentials = (fs::path(*home) / ".aws/credentials").string();
  if (credentials) pinned.push_back("AWS_SHARED_CREDENTIALS_FILE=" + fs::absolute(*credentials).string());
  pinned.push_back("AGENTCHAT_STATE_DIR=" + volumes::s3StateRoot(session.environ()).string());
  std::error_code ec;
  if (fromEnviron(session, "AWS_ACCESS_KEY_ID") || !credentials || !fs::exists(*credentials, ec)) {
    spdlog::warn(
        "the scheduled run does not get AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from this shell (no secret "
        "is "
        "written into a unit or cron entry): put them in {} (0600) as [{}] aws_access_key_id / "
        "aws_secret_access_key",
        credentials.value_or("~/.aws/credentials"), fromEnviron(session, "AWS_PROFILE").value_or("default"));
  }
  return pinned;
}

void printLastRun(const std::optional<nlohmann::json>& run, const fs::path& path) {
  if (!run) {
    std::cout << "last run:  none recorded (" << path.string() << ")\n";
    return;
  }
  std::cout << "last run:  " << run->value("time", "?") << " " << (run->value("ok", false) ? "OK" : "FAILED")
            << " (" << run->value("command", "backup") << " exit " << run->value("exitCode", -1) << ")";
  if (run->contains("backupId")) std::cout << ", backup " << run->value("backupId", "");
  if (!run->value("ok", false)) std::cout << ": " << run->value("message", "");
  std::cout << "\n";
}

class ScheduleCommand : public Command {
 public:
  CLI::App* install = nullptr;
  CLI::App* remove = nullptr;
  CLI::App* show = nullptr;
  CLI::App* runner = nullptr;
  std::optional<std::string> at;
  std::optional<std::string> notifyUrl;
  bool prune = false;

  int run(Session& session) override {
    if (runner->parsed()) return runScheduled(session, {prune, notifyUrl});
    // Bad input is refused before anything is read or written.
    std::optional<TimeOfDay> time;
    if (at) time = parseTimeOfDay(*at);
    if (notifyUrl && !notifyUrl->starts_with("http://") && !notifyUrl->starts_with("https://")) {
      throw std::invalid_argument("--notify-url must be an http:// or https:// URL");
    }
    compose::Stack stack = loadStackForRepository(session);
    Scheduler scheduler = detectScheduler(session.environ());
    if (install->parsed()) return doInstall(session, stack, scheduler, time);
    if (remove->parsed()) {
      auto removed = removeSchedule(scheduler, stack.name);
      if (removed.empty()) std::cout << "nothing installed for project " << stack.name << "\n";
      for (const auto& r : removed) std::cout << "removed " << r << "\n";
      return exit_code::kOk;
    }
    auto installed = findSchedule(scheduler, stack.name);
    if (installed) {
      std::cout << "installed: " << installed->kind << ", daily at " << installed->entry.at.text() << "\n";
      for (const auto& w : installed->where) std::cout << "where:     " << w << "\n";
      std::cout << "command:   " << installed->entry.command << "\n";
    } else {
      std::cout << "installed: nothing for project " << stack.name << "\n";
    }
    auto path = lastRunPath(*openRepository(session, stack), stack.name);
    printLastRun(readLastRun(path), path);
    return exit_code::kOk;
  }

 private:
  int doInstall(Session& session, const compose::Stack& stack, const Scheduler& scheduler,
                std::optional<TimeOfDay> time) {
    if (!time) time = stack.settings.schedule ? parseTimeOfDay(*stack.settings.schedule) : TimeOfDay{};
    std::vector<std::string> argv{selfExecutable()};
    if (auto environment = pinnedS3Environment(session, stack); !environment.empty()) {
      environment.insert(environment.begin(), "/usr/bin/env");
      argv.insert(argv.begin(), environment.begin(), environment.end());
    }
    auto global = globalArguments(pinned(session, stack));
    argv.insert(argv.end(), global.begin(), global.end());
    argv.insert(argv.end(), {"schedule", "run"});
    if (prune) argv.push_back("--prune");
    if (notifyUrl) argv.insert(argv.end(), {"--notify-url", *notifyUrl});
    auto installed = installSchedule(scheduler, stack.name, *time, argv);
    std::cout << "installed " << installed.kind << " for project " << stack.name << ", daily at "
              << time->text() << "\n";
    for (const auto& w : installed.where) std::cout << "  " << w << "\n";
    std::cout << "command: " << shellCommand(argv) << "\n";
    return exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addScheduleCommand(CLI::App& app) {
  auto command = std::make_unique<ScheduleCommand>();
  auto* cli = app.add_subcommand(
      "schedule",
      "The nightly backup (02:00 by default) as a systemd timer or cron entry: install, remove, show");
  cli->require_subcommand(1);
  cli->fallthrough();
  auto& c = *command;
  c.install = cli->add_subcommand("install", "Install (or replace) the nightly backup of this project");
  c.install->add_option("--at", c.at, "Time of day, HH:MM (default: x-agentchat schedule, else 02:00)");
  c.install->add_flag("--prune", c.prune, "Prune after each backup (x-agentchat retention, else 30 daily)");
  c.install->add_option(
      "--notify-url", c.notifyUrl,
      "Ping this URL healthchecks.io-style: URL/start, URL on success, URL/fail with the log's last lines "
      "(default: x-agentchat notify)");
  c.remove = cli->add_subcommand("remove", "Remove what install wrote (nothing installed: nothing to do)");
  c.show =
      cli->add_subcommand("show", "What is installed, where, when, the command, and the last run's outcome");
  c.runner =
      cli->add_subcommand("run", "The scheduled run: backup, then prune with --prune (what the timer runs)");
  c.runner->group("");  // internal: what install writes, not for people
  c.runner->add_flag("--prune", c.prune, "Prune after the backup");
  c.runner->add_option("--notify-url", c.notifyUrl,
                       "Ping this URL: URL/start, URL, URL/fail (default: x-agentchat notify)");
  for (auto* sub : {c.install, c.remove, c.show, c.runner}) sub->fallthrough();
  return {cli, std::move(command)};
}

}  // namespace agentchat
