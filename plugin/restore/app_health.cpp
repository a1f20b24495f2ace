#include "plugin/restore/app_health.hpp"

#include <algorithm>
#include <thread>

#include "plugin/backup/backup_plan.hpp"

namespace agentchat {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kLongestDefaultWait = std::chrono::minutes(5);
constexpr auto kPoll = std::chrono::milliseconds(250);

std::string lastProbeOutput(const dockerapi::ContainerInfo& info) {
  if (!info.healthState || info.healthState->log.empty()) return "";
  std::string out = info.healthState->log.back().output;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
  if (out.size() > 400) out = out.substr(0, 400) + "...";
  return out;
}

}  // namespace

std::chrono::milliseconds verdictTime(const dockerapi::Healthcheck& check) {
  double first = std::max(check.intervalSeconds, check.startPeriodSeconds);
  double total = first + check.intervalSeconds * (check.retries - 1) + check.timeoutSeconds;
  return std::chrono::milliseconds(static_cast<long long>(total * 1000)) + std::chrono::seconds(2);
}

std::vector<AppHealth> runningApps(dockerapi::Engine& engine, const compose::Stack& stack) {
  std::vector<AppHealth> out;
  for (const auto& [name, service] : stack.services) {
    if (isDatabase(service.role)) continue;  // their readiness is the data checks'
    for (const auto& c : service.containers) {
      auto info = engine.inspectContainer(c.id);
      if (!info.running) continue;  // the restore leaves it stopped, as it found it
      AppHealth app;
      app.service = name;
      app.container = c.id;
      app.name = info.name;
      app.before = info.healthcheck ? currentHealth(info) : "running";
      out.push_back(std::move(app));
    }
  }
  return out;
}

void waitForApps(dockerapi::Engine& engine, std::vector<AppHealth>& apps,
                 std::optional<std::chrono::seconds> wait) {
  auto began = Clock::now();
  std::vector<std::optional<Clock::time_point>> deadlines(apps.size());
  std::vector<bool> decided(apps.size(), false);
  for (;;) {
    bool pending = false;
    for (std::size_t i = 0; i < apps.size(); ++i) {
      if (decided[i]) continue;
      auto& app = apps[i];
      auto info = engine.inspectContainer(app.container);
      auto now = Clock::now();
      if (!deadlines[i]) {
        auto longest = info.healthcheck ? std::min<std::chrono::milliseconds>(verdictTime(*info.healthcheck),
                                                                              kLongestDefaultWait)
                                        : std::chrono::milliseconds(0);
        deadlines[i] = began + (wait ? std::chrono::milliseconds(*wait) : longest);
      }
      app.seconds = std::chrono::duration<double>(now - began).count();
      app.lastProbe = lastProbeOutput(info);
      app.now = !info.running ? "exited" : info.healthcheck ? currentHealth(info) : "running";
      decided[i] = app.now != "starting" || now >= *deadlines[i];
      pending = pending || !decided[i];
    }
    if (!pending) return;
    std::this_thread::sleep_for(kPoll);
  }
}

}  // namespace agentchat
