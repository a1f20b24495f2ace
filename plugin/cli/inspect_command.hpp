#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `docker agentchat inspect [--json]`: the stack model — what would be backed up and how.
RegisteredCommand addInspectCommand(CLI::App& app);

}  // namespace agentchat
