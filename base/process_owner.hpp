#pragma once
// "pid 123 on host h": how a run names itself in the project lock file and on the helper
// containers it creates, so whoever finds them after the run died can tell whose they were.
#include <string>

namespace base {

std::string hostName();
std::string thisProcess();

// Label on helper containers: the creating process, as thisProcess() names it.
inline constexpr const char* kOwnerLabel = "io.agentchat.owner";

}  // namespace base
