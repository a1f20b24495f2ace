#pragma once
// The docker CLI runs a plugin as `docker-agentchat [docker's global flags] agentchat [args]`.
// We drop that `agentchat` token so one parser serves both that form and a standalone call.
#include <string>
#include <vector>

namespace agentchat {

// `args` excludes argv[0]. Skips leading global flags (and the values of those that take one);
// if the next word is the plugin's own name, removes it.
std::vector<std::string> stripPluginName(std::vector<std::string> args);

// `docker help agentchat [COMMAND]` reaches us as `help agentchat [COMMAND]`; rewrite it (and a
// plain `help [COMMAND]`) to `[COMMAND] --help`. Other argument lists are returned unchanged.
std::vector<std::string> rewriteHelp(std::vector<std::string> args);

}  // namespace agentchat
