#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `docker agentchat version [--json]`: our version, the engine's, the negotiated API version and
// which endpoint was chosen and why.
RegisteredCommand addVersionCommand(CLI::App& app);

}  // namespace agentchat
