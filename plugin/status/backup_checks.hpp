#pragma once
// `status` checks of the unattended side: did the newest backup look like the ones before (sanity),
// how did the last backup attempt on this host end, and did the rows that name the knowledge
// files find their objects in the bucket (x-agentchat objects referenced_by).
#include <vector>

#include "plugin/status/health.hpp"
#include "plugin/unattended/metrics.hpp"

namespace agentchat {

std::vector<Check> backupChecks(const BackupFacts& facts);

}  // namespace agentchat
