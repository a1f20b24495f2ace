#pragma once
// Tells the outside how a backup went, manual or scheduled: the start/success/fail pings of
// x-agentchat notify, the record of the last attempt on this host, and the metrics file. None of
// it can fail the backup: a problem is a warning.
#include <memory>
#include <optional>
#include <string>

#include "base/secret_mask.hpp"
#include "compose/stack.hpp"
#include "dockerapi/context.hpp"
#include "plugin/unattended/pinger.hpp"
#include "volumes/manifest.hpp"

namespace agentchat {

class BackupReport {
 public:
  // `notify`: false when a scheduled run pings for the whole run itself (backup --no-notify).
  BackupReport(const compose::Stack& stack, std::string repository, dockerapi::Environ environ, bool notify);

  const base::SecretMask& mask() const { return mask_; }
  void started();
  void completed(const volumes::Manifest& manifest) { manifest_ = manifest; }
  void finished(int exitCode, const std::string& error) noexcept;

 private:
  std::string project_, repository_;
  dockerapi::Environ environ_;
  std::optional<std::string> metricsFile_;
  base::SecretMask mask_;
  std::optional<Pinger> pinger_;
  std::optional<volumes::Manifest> manifest_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace agentchat
