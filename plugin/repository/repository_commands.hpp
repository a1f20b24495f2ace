#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `list [--json]`: the project's complete backups, newest first.
RegisteredCommand addListCommand(CLI::App& app);
// `verify [ID|latest] [--json]`: every part against its manifest (sha256, zstd frames, content).
RegisteredCommand addVerifyCommand(CLI::App& app);
// `prune [--keep-last N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--dry-run]`.
RegisteredCommand addPruneCommand(CLI::App& app);
// `check [--repair] [--json]`: every chunk of the deduplicated store (issue #17).
RegisteredCommand addCheckCommand(CLI::App& app);

}  // namespace agentchat
