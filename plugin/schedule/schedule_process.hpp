#pragma once
// Running another program for the scheduler: systemctl, crontab, and the plugin itself for the
// scheduled backup and prune. Arguments only (no shell); stdin text optional.
#include <string>
#include <vector>

namespace agentchat {

struct ChildResult {
  int exitCode = -1;    // 127: could not be started; 128+N: killed by signal N
  std::string out;      // stdout
  std::string errTail;  // the last 16 KiB of stderr
};

// `forwardStderr`: the child's stderr also goes to ours as it comes (a scheduled run's log).
ChildResult runChild(const std::vector<std::string>& argv, const std::string& input = {},
                     bool forwardStderr = false);

// The last "docker agentchat: ..." line of a run's stderr (its error), else its last line.
std::string errorLine(const std::string& stderrText);

}  // namespace agentchat
