#include "plugin/hooks/hook_runner.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "base/elapsed.hpp"
#include "dockerapi/errors.hpp"

namespace agentchat {

using nlohmann::json;

namespace {

// With a shell in the image, the hook is started through it so that its pid (in the container)
// is known: the engine cannot stop an exec, but a second exec can kill it after a timeout.
constexpr const char* kPidMarker = "agentchat-hook-pid:";

std::string commandText(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

// Splits a stream into lines as it comes, for the log.
class LineSplitter {
 public:
  explicit LineSplitter(std::function<void(const std::string&)> line) : line_(std::move(line)) {}
  void feed(std::string_view chunk) {
    for (char c : chunk) {
      if (c == '\n') {
        flush();
      } else if (pending_.size() < 4096) {  // a line past that is cut, not buffered without bound
        pending_.push_back(c);
      }
    }
  }
  void flush() {
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    line_(pending_);
    pending_.clear();
  }
  void finish() {
    if (!pending_.empty()) flush();
  }

 private:
  std::function<void(const std::string&)> line_;
  std::string pending_;
};

const std::string* hookContainer(const compose::StackService& service, std::string& name) {
  for (const auto& c : service.containers) {
    if (c.state == "running") {
      name = c.name;
      return &c.id;
    }
  }
  return nullptr;
}

}  // namespace

const char* hookPhaseName(HookPhase phase) {
  switch (phase) {
    case HookPhase::PreBackup:
      return "pre_backup";
    case HookPhase::PostBackup:
      return "post_backup";
    case HookPhase::PreRestore:
      return "pre_restore";
    case HookPhase::PostRestore:
      return "post_restore";
  }
  return "?";
}

HookRunner::HookRunner(dockerapi::Engine& engine, const compose::Stack& stack, base::SecretMask mask,
                       std::map<std::string, std::string> environment)
    : engine_(engine), stack_(stack), mask_(std::move(mask)), environment_(std::move(environment)) {}

bool HookRunner::any() const {
  for (const auto& [name, service] : stack_.services) {
    if (!service.settings.hooks.empty()) return true;
  }
  return false;
}

const std::vector<compose::Hook>& HookRunner::hooksOf(const compose::StackService& service,
                                                      HookPhase phase) const {
  const auto& h = service.settings.hooks;
  switch (phase) {
    case HookPhase::PreBackup:
      return h.preBackup;
    case HookPhase::PostBackup:
      return h.postBackup;
    case HookPhase::PreRestore:
      return h.preRestore;
    case HookPhase::PostRestore:
      break;
  }
  return h.postRestore;
}

std::string HookRunner::runOne(const compose::StackService& service, const compose::Hook& hook,
                               HookPhase phase) {
  HookRecord record;
  record.service = service.name;
  record.phase = hookPhaseName(phase);
  record.failRun = hook.failRun;
  for (const auto& word : hook.command) record.command.push_back(mask_.apply(word));
  const std::string shown = "`" + commandText(record.command) + "`";
  const std::string who = std::string(record.phase) + " hook of service " + service.name;
  auto started = std::chrono::steady_clock::now();
  std::string failure;

  const std::string* container = hookContainer(service, record.container);
  if (container == nullptr) {
    record.outcome = "not running";
    spdlog::warn("{} {} not run: the service has no running container", who, shown);
    records_.push_back(record);
    return "";
  }
  bool shell = true;
  try {
    engine_.statPath(*container, "/bin/sh");
  } catch (const dockerapi::EngineError&) {
    shell = false;
  }
  dockerapi::ExecSpec spec;
  if (shell)
    spec.cmd = {"/bin/sh", "-c", std::string("echo ") + kPidMarker + "$$ >&2; exec \"$@\"", "agentchat-hook"};
  spec.cmd.insert(spec.cmd.end(), hook.command.begin(), hook.command.end());
  for (const auto& [name, value] : environment_) spec.env.push_back(name + "=" + value);
  spec.env.push_back("AGENTCHAT_PHASE=" + record.phase);
  spec.env.push_back("AGENTCHAT_SERVICE=" + service.name);
  spec.user = hook.user.value_or("");
  spec.timeoutSeconds = hook.timeoutSeconds;

  std::string pid;
  auto logLine = [&](const std::string& line) {
    if (shell && pid.empty() && line.rfind(kPidMarker, 0) == 0) {
      pid = line.substr(std::string(kPidMarker).size());
      return;
    }
    record.lastLine = mask_.apply(line);
    spdlog::info("hook {}/{}: {}", service.name, record.phase, record.lastLine);
  };
  LineSplitter out(logLine), err(logLine);
  spdlog::info("running the {} {} in {}", who, shown, record.container);
  try {
    auto result = engine_.exec(
        *container, spec, [&](std::string_view c) { out.feed(c); }, [&](std::string_view c) { err.feed(c); });
    out.finish();
    err.finish();
    record.exitCode = result.exitCode;
    record.outcome = result.exitCode == 0 ? "ok" : "failed";
    if (result.exitCode != 0)
      failure = who + " " + shown + " exited with " + std::to_string(result.exitCode) +
                (record.lastLine.empty() ? "" : ": " + record.lastLine);
  } catch (const dockerapi::ExecTimedOut&) {
    record.outcome = "timed out";
    failure =
        who + " " + shown + " still ran after its timeout of " + std::to_string(hook.timeoutSeconds) + " s";
    if (!pid.empty()) {
      // TERM, then KILL two seconds later if it is still there; the pid is an argument, not code.
      dockerapi::ExecSpec kill;
      kill.cmd = {"/bin/sh", "-c",
                  "kill -TERM \"$1\" 2>/dev/null || exit 0; sleep 2; kill -KILL \"$1\" 2>/dev/null; exit 0",
                  "agentchat-kill", pid};
      kill.timeoutSeconds = 10;
      try {
        engine_.exec(*container, kill, {}, {});
        failure += " and was stopped";
      } catch (const std::exception& e) {
        failure +=
            "; stopping it failed (" + std::string(e.what()) + "): it may still run in " + record.container;
      }
    } else {
      failure += "; the image has no /bin/sh to stop it with: it may still run in " + record.container;
    }
  } catch (const dockerapi::EngineError& e) {
    record.outcome = "engine error";
    failure = who + " " + shown + " could not be run: " + mask_.apply(e.what());
  }
  record.seconds = base::secondsSince(started);
  records_.push_back(record);
  if (failure.empty()) return "";
  if (!hook.failRun) {
    spdlog::warn("{} (on_error: warn, so the run goes on)", failure);
    return "";
  }
  spdlog::error("{}", failure);
  return failure;
}

void HookRunner::runPre(HookPhase phase) {
  preRan_ = true;
  for (const auto& [name, service] : stack_.services) {
    for (const auto& hook : hooksOf(service, phase)) {
      std::string failure = runOne(service, hook, phase);
      if (!failure.empty())
        throw HookFailed(failure +
                         "; nothing was paused, stopped or changed (fix the hook, or set its on_error: "
                         "warn to go on without it)");
    }
    preDone_.insert(name);
  }
}

std::string HookRunner::runPost(HookPhase phase, bool runSucceeded) noexcept {
  if (!preRan_ || postRan_) return "";
  postRan_ = true;
  std::string first;
  try {
    environment_["AGENTCHAT_OUTCOME"] = runSucceeded ? "ok" : "failed";
    for (const auto& name : preDone_) {
      const auto& service = stack_.services.at(name);
      for (const auto& hook : hooksOf(service, phase)) {
        std::string failure = runOne(service, hook, phase);
        if (first.empty()) first = failure;
      }
    }
  } catch (const std::exception& e) {
    if (first.empty()) first = std::string(hookPhaseName(phase)) + " hooks could not run: " + e.what();
  }
  return first;
}

json HookRunner::toJson() const {
  json out = json::array();
  for (const auto& r : records_) {
    json line = {{"service", r.service},
                 {"phase", r.phase},
                 {"container", r.container},
                 {"command", r.command},
                 {"outcome", r.outcome},
                 {"seconds", r.seconds},
                 {"onError", r.failRun ? "fail" : "warn"}};
    if (r.exitCode >= 0) line["exitCode"] = r.exitCode;
    out.push_back(line);
  }
  return out;
}

}  // namespace agentchat
