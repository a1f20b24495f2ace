#pragma once
// Hooks as container labels, for stacks whose compose file cannot change (labels set on `docker run`
// or by another tool):
//   agentchat.hooks.pre_backup: "sh -c 'app flush'"      one command, split as a shell would
//   agentchat.hooks.pre_backup.timeout: "30"              seconds (default 60)
//   agentchat.hooks.pre_backup.on_error: fail | warn      (default fail)
//   agentchat.hooks.pre_backup.user: "1000"               (default the container's user)
// and the same for post_backup, pre_restore, post_restore. x-agentchat hooks win: a label fills
// only a phase the compose file leaves empty.
#include <map>
#include <string>

#include "compose/settings.hpp"

namespace compose {

inline constexpr const char* kHookLabelPrefix = "agentchat.hooks.";

// Throws std::invalid_argument naming the label and `owner` (a container or service) when a value
// is unusable.
void addHookLabels(const std::map<std::string, std::string>& labels, const std::string& owner, Hooks& hooks);

}  // namespace compose
