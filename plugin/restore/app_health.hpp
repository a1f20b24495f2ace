#pragma once
// After a restore's data checks pass, the apps: each app container that was running is watched
// until Docker gives a fresh health verdict (or, without a check, until it is seen running) or the
// wait ends. What it finds is reported, never rolled
// back: the data are right, and an app that does not come up is the app's problem to show.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "dockerapi/health_state.hpp"

namespace agentchat {

// How long Docker may take to call a container unhealthy: the first probe comes one interval after
// the start (failures in the start period do not count), then `retries` failures, the last of
// which may take the whole timeout; plus two seconds for our polling.
std::chrono::milliseconds verdictTime(const dockerapi::Healthcheck& check);

struct AppHealth {
  std::string service;
  std::string container;  // id
  std::string name;
  std::string before;     // health before the restore; "running" for a container without a check
  std::string now;        // the same after: or unhealthy, starting (no verdict within the wait), exited,
                          // unknown (the engine failed while it was watched; lastProbe says how)
  std::string lastProbe;  // the last probe's output, trimmed
  double seconds = 0;     // from the start of the wait to the verdict
  // Not healthy now, though it was not unhealthy before: the restore's exit code says so.
  bool newlyUnhealthy() const { return !fine() && before != "unhealthy"; }
  bool fine() const { return now == "healthy" || now == "running"; }
};

// The apps' running containers (databases are checked by their data) with their health now.
std::vector<AppHealth> runningApps(dockerapi::Engine& engine, const compose::Stack& stack);

// Watches them all at once until each has a fresh verdict, or until `wait` (default: each one's
// verdictTime, at most five minutes). A container that is not running counts as exited.
void waitForApps(dockerapi::Engine& engine, std::vector<AppHealth>& apps,
                 std::optional<std::chrono::seconds> wait);

}  // namespace agentchat
