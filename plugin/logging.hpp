#pragma once
#include <string>

namespace agentchat {

// Logs go to stderr so stdout stays for results (tables, --json).
// `level` is docker's --log-level (debug, info, warn, error, fatal); `debug` (-D) wins.
// Throws std::invalid_argument for an unknown level.
void setupLogging(const std::string& level, bool debug);

}  // namespace agentchat
