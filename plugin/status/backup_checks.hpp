#pragma once
// `status` checks of the unattended side: did the newest backup look like the ones before (sanity),
// and how did the last backup attempt on this host end.
#include <vector>

#include "plugin/status/health.hpp"
#include "plugin/unattended/metrics.hpp"

namespace agentchat {

std::vector<Check> backupChecks(const BackupFacts& facts);

}  // namespace agentchat
