#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `docker agentchat status [--json]`: the monitoring checks of README `status`. Exit status follows the
// monitoring-plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
RegisteredCommand addStatusCommand(CLI::App& app);

}  // namespace agentchat
