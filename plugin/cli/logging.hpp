#pragma once
#include <string>
#include <vector>

namespace agentchat {

// Logs go to stderr so stdout stays for results (tables, --json).
// `level` is docker's --log-level (debug, info, warn, error, fatal); `debug` (-D) wins.
// `format` json writes one JSON object a line ({"time", "level", "msg"}) for log collectors.
// Throws std::invalid_argument for an unknown level.
void setupLogging(const std::string& level, bool debug, const std::string& format = "text");

// The last log lines (at most 40, oldest first, "warning: …"), for a failure ping's body.
std::vector<std::string> recentLogLines();

}  // namespace agentchat
