#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `maintain [--optimize] [--analyze] [--logs-older-than DAYS] [--set-default-ttl SECONDS] [--dry-run]
// [--json]`: the weekly maintenance (README: `maintain`). With none of --optimize, --analyze,
// --logs-older-than it does the safe reports: ANALYZE TABLE, the Redis keys without a TTL, and the log files
// older than 30 days (listed, not deleted). Exit 0 when every step passed, 1 naming what failed.
RegisteredCommand addMaintainCommand(CLI::App& app);

}  // namespace agentchat
