#pragma once
#include "plugin/cli/command.hpp"

namespace agentchat {

// `schedule install|remove|show [--at HH:MM] [--prune] [--notify-url URL]`: the nightly
// backup (02:00 unless --at or x-agentchat schedule says otherwise) as a systemd timer or a cron
// entry running `docker-agentchat <project options> schedule run` (hidden: backup, then prune with
// --prune, outcome recorded, a failure POSTed to --notify-url).
RegisteredCommand addScheduleCommand(CLI::App& app);

}  // namespace agentchat
