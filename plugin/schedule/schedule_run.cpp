#include "plugin/schedule/schedule_run.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/http_client.hpp"
#include "base/process_owner.hpp"
#include "base/utc_time.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/schedule/schedule_process.hpp"
#include "plugin/schedule/schedule_record.hpp"

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

// Why the notification did not go out, or "" when the server took it.
std::string postJson(const std::string& url, const std::string& body) {
  base::HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {"Content-Type: application/json"};
  request.body = body;
  request.discardBody = true;
  request.protocols = "http,https";
  request.timeout = std::chrono::seconds(10);
  auto response = base::httpExchange(request);
  switch (response.failure) {
    case base::HttpFailure::None:
      break;
    case base::HttpFailure::NoHandle:
    case base::HttpFailure::NoMemory:
      return "libcurl could not start";
    case base::HttpFailure::TooLarge:  // the body is discarded, never buffered
    case base::HttpFailure::Network:
      return response.error;
  }
  if (response.status < 200 || response.status > 299)
    return "the server answered HTTP " + std::to_string(response.status);
  return "";
}

int runScheduled(Session& session, const ScheduledRunOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::time_t now = std::time(nullptr);
  compose::Stack stack = loadStackForRepository(session);
  auto repository = openRepository(session, stack);
  std::vector<std::string> base{selfExecutable()};
  auto global = globalArguments(session.options());
  base.insert(base.end(), global.begin(), global.end());

  std::vector<Step> steps{runStep(base, {"backup", "--json"})};
  std::string backupId;
  if (steps.back().result.exitCode == 0) {
    auto result = json::parse(steps.back().result.out, nullptr, false);
    if (!result.is_discarded() && result.is_object()) backupId = result.value("id", "");
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
  if (code != 0 && options.notifyUrl) {
    // What failed, where, how: no option values, paths or anything a secret could hide in.
    json body = {{"event", "agentchat.schedule.failed"},
                 {"project", stack.name},
                 {"host", outcome["host"]},
                 {"command", last.command},
                 {"exitCode", code},
                 {"error", outcome["message"]},
                 {"time", outcome["time"]}};
    std::string why = postJson(*options.notifyUrl, body.dump());
    outcome["notified"] = why.empty();
    if (!why.empty()) spdlog::warn("could not notify the --notify-url: {}", why);  // the URL may hold a token
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
