#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `docker agentchat compat [ID|latest] [--json]`: the backup against the running stack. Exit 0
// when nothing is high risk, 1 when something is (restore will refuse it without --force).
RegisteredCommand addCompatCommand(CLI::App& app);

}  // namespace agentchat
