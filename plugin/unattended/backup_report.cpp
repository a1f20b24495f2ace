#include "plugin/unattended/backup_report.hpp"

#include <spdlog/spdlog.h>

#include "base/elapsed.hpp"
#include "base/human_units.hpp"
#include "base/utc_time.hpp"
#include "plugin/cli/logging.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/unattended/backup_outcome.hpp"
#include "plugin/unattended/metrics.hpp"
#include "plugin/unattended/sanity.hpp"
#include "plugin/unattended/stack_secrets.hpp"

namespace agentchat {

using nlohmann::json;

BackupReport::BackupReport(const compose::Stack& stack, std::string repository, dockerapi::Environ environ,
                           bool notify)
    : project_(stack.name),
      repository_(std::move(repository)),
      environ_(std::move(environ)),
      metricsFile_(stack.settings.metricsFile),
      mask_(stackSecrets(stack)) {
  if (notify && stack.settings.notifyUrl) pinger_.emplace(*stack.settings.notifyUrl, mask_);
  if (metricsFile_ && std::filesystem::path(*metricsFile_).is_relative())
    metricsFile_ = (std::filesystem::path(stack.workingDir) / *metricsFile_).string();
}

void BackupReport::started() {
  started_ = std::chrono::steady_clock::now();
  if (pinger_) pinger_->start();
}

void BackupReport::finished(int exitCode, const std::string& error) noexcept {
  try {
    auto now = std::time(nullptr);
    json outcome = {{"time", base::utcTimestamp(now)},
                    {"unixTime", static_cast<std::int64_t>(now)},
                    {"exitCode", exitCode},
                    {"seconds", base::secondsSince(started_)}};
    if (manifest_) outcome["backupId"] = manifest_->id;
    if (!error.empty()) outcome["error"] = mask_.apply(error);
    auto repository = openRepository(repository_, environ_);
    try {
      recordBackupOutcome(*repository, project_, outcome);
    } catch (const std::exception& e) {
      spdlog::warn("could not record the backup's outcome for status and metrics: {}", e.what());
    }
    if (metricsFile_) {
      try {
        writeMetricsFile(*metricsFile_, readBackupFacts(*repository, project_));
      } catch (const std::exception& e) {
        spdlog::warn("could not write the metrics file (x-agentchat metrics_file): {}", e.what());
      }
    }
  } catch (const std::exception& e) {
    spdlog::warn("could not report the backup's outcome: {}", e.what());
  }
  if (!pinger_) return;
  try {
    std::vector<std::string> warnings = manifest_ ? sanityWarnings(*manifest_) : std::vector<std::string>{};
    if (exitCode == 0 && warnings.empty()) {
      if (!manifest_) {
        pinger_->success("backup of " + project_ + " complete");
        return;
      }
      std::uint64_t total = 0;
      for (const auto& p : manifest_->parts) total += p.size;
      pinger_->success("backup " + manifest_->id + " of " + project_ + " complete: " +
                       std::to_string(manifest_->parts.size()) + " parts, " + base::humanBytes(total));
      return;
    }
    std::string what;
    if (exitCode != 0) {
      what = "backup of " + project_ + " failed (exit " + std::to_string(exitCode) + "): " + error;
    } else if (manifest_) {
      what = "backup " + manifest_->id + " of " + project_ + notLikeTheOnesBefore(warnings);
    }
    pinger_->failure(failureBody(what, recentLogLines(), mask_));
  } catch (const std::exception& e) {
    spdlog::warn("could not send the notify ping: {}", mask_.apply(e.what()));
  }
}

}  // namespace agentchat
