#include "plugin/schedule/schedule_run.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/http_client.hpp"
#include "base/process_owner.hpp"
#include "base/utc_time.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/schedule/schedule_process.hpp"
#include "plugin/schedule/schedule_record.hpp"
#include "plugin/unattended/pinger.hpp"
#include "plugin/unattended/sanity.hpp"
#include "plugin/unattended/stack_secrets.hpp"

namespace agentchat {

using nlohmann::json;

namespace {

struct Step {
  std::string command;
  ChildResult result;
  double seconds = 0;
};

Step runStep(const std::vector<std::string>& base, std::vector<std::string> command) {
  std::vector<std::string> argv = base;
  argv.insert(argv.end(), command.begin(), command.end());
  auto started = std::chrono::steady_clock::now();
  Step step{command.front(), runChild(argv, {}, true), 0};
  step.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return step;
}

}  // namespace

std::vector<std::string> globalArguments(const GlobalOptions& o) {
  std::vector<std::string> args;
  auto add = [&](const char* flag, const std::optional<std::string>& value) {
    if (value) args.insert(args.end(), {flag, *value});
  };
  const auto& c = o.connection;
  add("--context", c.context);
  add("--host", c.host);
  add("--config", c.configDir);
  if (c.tls) args.push_back("--tls");
  if (c.tlsVerify) args.push_back("--tlsverify");
  add("--tlscacert", c.tlsCaCert);
  add("--tlscert", c.tlsCert);
  add("--tlskey", c.tlsKey);
  add("--project-name", o.project.projectName);
  for (const auto& f : o.project.files) args.insert(args.end(), {"--file", f});
  add("--project-directory", o.project.projectDirectory);
  for (const auto& f : o.project.envFiles) args.insert(args.end(), {"--env-file", f});
  for (const auto& profile : o.project.profiles) args.insert(args.end(), {"--profile", profile});
  add("--repo", o.repository);
  if (o.logFormat != "text") args.insert(args.end(), {"--log-format", o.logFormat});
  return args;
}

std::string selfExecutable() {
  std::error_code ec;
  std::string path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  const std::string deleted = " (deleted)";  // replaced by a reinstall while running
  if (path.ends_with(deleted)) path.erase(path.size() - deleted.size());
  if (ec || path.empty()) throw std::runtime_error("cannot find this program's path through /proc/self/exe");
  return path;
}

int runScheduled(Session& session, const ScheduledRunOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::time_t now = std::time(nullptr);
  compose::Stack stack = loadStackForRepository(session);
  auto repository = openRepository(session, stack);
  std::vector<std::string> base{selfExecutable()};
  auto global = globalArguments(session.options());
  base.insert(base.end(), global.begin(), global.end());

  // The whole run (backup, then prune) is one ping sequence; the backup itself sends none.
  std::optional<std::string> notifyUrl = options.notifyUrl ? options.notifyUrl : stack.settings.notifyUrl;
  base::SecretMask mask = stackSecrets(stack);
  if (notifyUrl) mask.add(*notifyUrl);
  std::optional<Pinger> pinger;
  if (notifyUrl) {
    pinger.emplace(*notifyUrl, mask);
    pinger->start();
  }
  std::vector<Step> steps{runStep(base, {"backup", "--json", "--no-notify"})};
  std::string backupId;
  std::vector<std::string> warnings;  // the backup's sanity warnings
  if (steps.back().result.exitCode == 0) {
    auto result = json::parse(steps.back().result.out, nullptr, false);
    if (!result.is_discarded() && result.is_object()) {
      backupId = result.value("id", "");
      for (const auto& w : result.value("warnings", json::array())) warnings.push_back(w.get<std::string>());
    }
    if (options.prune) {
      steps.push_back(runStep(base, {"prune"}));
      std::cout << steps.back().result.out;
    }
  }
  const Step& last = steps.back();
  int code = last.result.exitCode;
  json outcome = {
      {"time", base::utcTimestamp(now)},
      {"unixTime", static_cast<std::int64_t>(now)},
      {"host", base::hostName()},
      {"project", stack.name},
      {"command", code == 0 && steps.size() > 1 ? "backup+prune" : last.command},
      {"exitCode", code},
      {"ok", code == 0},
      {"message", code == 0 ? std::string("ok") : errorLine(last.result.errTail)},
      {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()},
      {"steps", json::array()}};
  if (!backupId.empty()) outcome["backupId"] = backupId;
  for (const auto& s : steps) {
    outcome["steps"].push_back(
        {{"command", s.command}, {"exitCode", s.result.exitCode}, {"seconds", s.seconds}});
  }
  if (!warnings.empty()) outcome["warnings"] = warnings;
  if (pinger) {
    bool sent;
    if (code == 0 && warnings.empty()) {
      sent = pinger->success("scheduled run of " + stack.name + " on " + base::hostName() + ": ok" +
                             (backupId.empty() ? "" : ", backup " + backupId));
    } else {
      std::string what =
          code != 0
              ? "scheduled run of " + stack.name + " on " + base::hostName() + ": " + last.command +
                    " failed (exit " + std::to_string(code) + "): " + outcome["message"].get<std::string>()
              : "scheduled run of " + stack.name + ": backup " + backupId + notLikeTheOnesBefore(warnings);
      std::vector<std::string> lines;
      std::istringstream tail(last.result.errTail);
      for (std::string line; std::getline(tail, line);) lines.push_back(line);
      sent = pinger->failure(failureBody(what, lines, mask));
    }
    outcome["notified"] = sent;
  }
  auto path = lastRunPath(*repository, stack.name);
  try {
    recordLastRun(path, outcome);
  } catch (const std::exception& e) {
    spdlog::error("could not record the run's outcome: {}", e.what());
    if (code == 0) code = exit_code::kFailed;
  }
  std::cout << "scheduled run of " << stack.name << ": "
            << (last.result.exitCode == 0 ? "ok" + (backupId.empty() ? "" : ", backup " + backupId)
                                          : last.command + " failed (exit " + std::to_string(code) +
                                                "): " + outcome["message"].get<std::string>())
            << "\n";
  return code;
}

}  // namespace agentchat
