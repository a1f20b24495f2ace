#pragma once
// The scheduled run itself (`schedule run`, what cron or the timer starts): `backup`, then `prune`
// when asked, each as a child process of this same binary with the same global options — so each
// keeps its own audit line, lock and signal handling — then the outcome recorded for `schedule show`
// and `status`; the run is pinged to --notify-url (else x-agentchat notify) as start, then success
// or fail with the log's last lines (pinger.hpp).
#include <optional>
#include <string>
#include <vector>

#include "plugin/cli/session.hpp"

namespace agentchat {

struct ScheduledRunOptions {
  bool prune = false;
  std::optional<std::string> notifyUrl;
};

// The global options as words for a command line (what `schedule install` pins, what `run` passes on).
std::vector<std::string> globalArguments(const GlobalOptions& options);

// This binary's absolute path (/proc/self/exe).
std::string selfExecutable();

// Returns the exit code: 0, or the failed step's.
int runScheduled(Session& session, const ScheduledRunOptions& options);

}  // namespace agentchat
