#include "volumes/retention.hpp"

#include <algorithm>
#include <ctime>
#include <functional>
#include <stdexcept>

namespace volumes {

namespace {

std::tm parseId(const std::string& id) {
  std::tm tm{};
  if (id.size() != 16 || ::strptime(id.c_str(), "%Y%m%dT%H%M%SZ", &tm) == nullptr) {
    throw std::invalid_argument("not a backup id: " + id);
  }
  std::time_t t = ::timegm(&tm);  // normalises tm_wday/tm_yday for the week bucket
  ::gmtime_r(&t, &tm);
  return tm;
}

std::string format(const std::tm& tm, const char* pattern) {
  char out[32];
  std::strftime(out, sizeof out, pattern, &tm);
  return out;
}

}  // namespace

std::vector<RetentionDecision> applyRetention(std::vector<BackupSummary> backups,
                                              const RetentionPolicy& policy) {
  std::sort(backups.begin(), backups.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
  std::vector<RetentionDecision> out;
  std::vector<std::tm> times;
  for (const auto& b : backups) {
    out.push_back({b.id, false, {}});
    times.push_back(parseId(b.id));
  }
  // One bucket rule: walk newest first, keep the first backup of each new bucket until N buckets.
  auto rule = [&](int n, const char* name, const std::function<std::string(const std::tm&)>& bucketOf) {
    std::string last;
    int used = 0;
    for (std::size_t i = 0; i < out.size() && used < n; ++i) {
      std::string bucket = bucketOf(times[i]);
      if (bucket == last) continue;
      last = bucket;
      ++used;
      out[i].keep = true;
      out[i].reasons.push_back(std::string(name) + " " + bucket);
    }
  };
  for (int i = 0; i < policy.keepLast && i < static_cast<int>(out.size()); ++i) {
    out[static_cast<std::size_t>(i)].keep = true;
    out[static_cast<std::size_t>(i)].reasons.push_back("last " + std::to_string(policy.keepLast));
  }
  rule(policy.keepDaily, "daily", [](const std::tm& tm) { return format(tm, "%Y-%m-%d"); });
  rule(policy.keepWeekly, "weekly", [](const std::tm& tm) { return format(tm, "%G-W%V"); });
  rule(policy.keepMonthly, "monthly", [](const std::tm& tm) { return format(tm, "%Y-%m"); });
  if (!out.empty()) {
    out.front().keep = true;
    out.front().reasons.push_back("newest");
  }
  // The newest backup with a quality, whatever the rules decided.
  auto keepNewest = [&](bool BackupSummary::*quality, const char* reason) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (!(backups[i].*quality)) continue;
      out[i].keep = true;
      out[i].reasons.push_back(reason);
      return;
    }
  };
  keepNewest(&BackupSummary::verified, "newest verified");
  keepNewest(&BackupSummary::sane, "newest sane");
  return out;
}

}  // namespace volumes
