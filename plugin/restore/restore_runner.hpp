#pragma once
// Carries out a restore plan in the steps of README `restore`: safety snapshot, stop
// the apps, MySQL, Redis, files, start, verify; and if any of that fails, the safety snapshot is
// restored the same way, so nothing the user had is lost.
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "base/error.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/restore/app_health.hpp"
#include "plugin/restore/restore_plan.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

// A step failed. `rolledBack`: the safety snapshot was restored and verified (the stack is as it
// was); otherwise the message says what state it is in and how to get back, and the exit code is 5.
class RestoreFailed : public base::Error {
 public:
  RestoreFailed(const std::string& message, bool rolledBack)
      : base::Error(message, rolledBack ? base::exit_code::kFailed : base::exit_code::kRollbackFailed),
        rolledBack_(rolledBack) {}
  bool rolledBack() const { return rolledBack_; }

 private:
  bool rolledBack_;
};

struct RestoreSettings {
  bool safetySnapshot = true;
  bool terminal = false;
  std::string toolVersion;
  const volumes::PartKeys* keys = nullptr;  // open the backup's parts and the safety snapshot's
  // The safety snapshot is encrypted like any backup of the project (x-agentchat).
  std::vector<volumes::AgeRecipient> safetyRecipients;
  volumes::Encryption safetyEncryption;
  // How long the apps' health checks are waited for after the data are verified (default: as long
  // as each check may take to reach a verdict).
  std::optional<std::chrono::seconds> healthWait;
  // The process environment: the keys of the stack's buckets (x-agentchat objects).
  std::map<std::string, std::string> environ;
};

struct StepTiming {
  std::string step;
  double seconds = 0;
};

struct RestoreReport {
  std::string safetySnapshot;  // id, or empty when none was taken
  std::vector<StepTiming> steps;
  double seconds = 0;
  std::vector<AppHealth> apps;  // the apps after the restore (reported, never rolled back)
};

// `repository` holds the backup (under manifest.project) and receives the safety snapshot (under
// the target's project). Throws RestoreFailed, or anything the safety snapshot throws before
// the stack is touched.
RestoreReport runRestore(dockerapi::Engine& engine, const compose::Stack& target,
                         volumes::Repository& repository, const volumes::Manifest& manifest,
                         const RestorePlan& plan, const RestoreSettings& settings);

}  // namespace agentchat
