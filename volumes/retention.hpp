#pragma once
// Which backups a retention policy keeps, restic-style: keep-last N keeps the N newest; keep-daily N
// keeps the newest backup of each of the N most recent days that have one (weekly: ISO weeks,
// monthly: calendar months, all UTC). A backup kept by any rule is kept. The newest complete
// backup, the newest verified one and the newest that passed the sanity checks (not much smaller or
// larger than the ones before it) are always kept, whatever the policy says.
#include <optional>
#include <string>
#include <vector>

namespace volumes {

struct RetentionPolicy {
  int keepLast = 0, keepDaily = 0, keepWeekly = 0, keepMonthly = 0;
  bool empty() const { return keepLast + keepDaily + keepWeekly + keepMonthly == 0; }
};

struct BackupSummary {
  std::string id;  // 20261124T020000Z: sorts by time
  bool verified = false;
  bool sane = true;  // passed the sanity checks (or was taken before there were any)
};

struct RetentionDecision {
  std::string id;
  bool keep = false;
  // "last 3", "daily 2026-11-24", "newest", "newest verified", "newest sane"
  std::vector<std::string> reasons;
};

// One decision per backup, newest first. Throws std::invalid_argument for a malformed id.
std::vector<RetentionDecision> applyRetention(std::vector<BackupSummary> backups,
                                              const RetentionPolicy& policy);

}  // namespace volumes
