#pragma once
// The stack's own commands around a backup or restore (x-agentchat hooks, agentchat.hooks.* labels),
// run by exec in each service's running container, service by service in name order.
//
// The pre phase runs before anything is held; post runs for exactly the services whose pre phase
// completed, whether the run then succeeded or not (AGENTCHAT_OUTCOME says which), so a pre-hook
// that put an app into maintenance mode is always undone. A hook with on_error fail that fails in
// the pre phase stops the run (HookFailed); in the post phase the run's work is kept and the run
// reports the failure. Output goes to the log line by line, secrets masked.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/secret_mask.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

class HookFailed : public base::Error {
 public:
  using base::Error::Error;
};

enum class HookPhase { PreBackup, PostBackup, PreRestore, PostRestore };
const char* hookPhaseName(HookPhase phase);

struct HookRecord {
  std::string service, phase, container;
  std::vector<std::string> command;  // masked
  std::string outcome;               // ok | failed | timed out | not running | engine error
  int exitCode = -1;
  double seconds = 0;
  bool failRun = true;
  std::string lastLine;  // the output's last line, masked
};

class HookRunner {
 public:
  // `environment`: AGENTCHAT_PROJECT and the like, given to every hook.
  HookRunner(dockerapi::Engine& engine, const compose::Stack& stack, base::SecretMask mask,
             std::map<std::string, std::string> environment);

  bool any() const;
  void setEnvironment(const std::string& name, const std::string& value) { environment_[name] = value; }

  // Throws HookFailed (exit 1) when a hook with on_error fail does not succeed.
  void runPre(HookPhase phase);
  // Never throws; returns why the run must not report success ("" when it may). Runs once: a
  // second call (the run failing after its post hooks ran) does nothing.
  std::string runPost(HookPhase phase, bool runSucceeded) noexcept;

  const std::vector<HookRecord>& records() const { return records_; }
  nlohmann::json toJson() const;

 private:
  // "" when the hook did what it should (or on_error warn); else the failure, for the message.
  std::string runOne(const compose::StackService& service, const compose::Hook& hook, HookPhase phase);
  const std::vector<compose::Hook>& hooksOf(const compose::StackService& service, HookPhase phase) const;

  dockerapi::Engine& engine_;
  const compose::Stack& stack_;
  base::SecretMask mask_;
  std::map<std::string, std::string> environment_;
  std::vector<HookRecord> records_;
  std::set<std::string> preDone_;  // services whose pre phase completed
  bool preRan_ = false, postRan_ = false;
};

}  // namespace agentchat
