#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `docker agentchat backup [--consistency online|stop] [--only PARTS] [--label L] [--dry-run] [--json]`
RegisteredCommand addBackupCommand(CLI::App& app);

}  // namespace agentchat
