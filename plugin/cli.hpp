#pragma once
#include <string>
#include <vector>

#include "dockerapi/context.hpp"

namespace agentchat {

// Runs the plugin with `args` (argv without argv[0]); returns the exit code (see exit_codes.hpp).
int runCli(const std::vector<std::string>& args, const dockerapi::Environ& environ);

}  // namespace agentchat
