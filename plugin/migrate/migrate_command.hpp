#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `migrate --to-host ENDPOINT | --to-context NAME --target-dir DIR [--consistency stop] [--yes] [--json]`.
RegisteredCommand addMigrateCommand(CLI::App& app);

}  // namespace agentchat
