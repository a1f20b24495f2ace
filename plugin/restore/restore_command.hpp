#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `restore [ID|latest] [--only PARTS] [--to-project NAME] [--dry-run] [--yes] [--force]
// [--no-safety-snapshot] [--json]`.
RegisteredCommand addRestoreCommand(CLI::App& app);

}  // namespace agentchat
