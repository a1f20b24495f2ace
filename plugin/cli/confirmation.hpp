#pragma once
// Commands that change live data ask once on a terminal; with no terminal they refuse unless the
// user said --yes. A careful default for 3 a.m. and for scripts alike.
#include <string>

namespace agentchat {

// `what`: what is about to happen, e.g. "restore replaces the live data of chat". Returns true to go on.
bool confirmOnce(bool yes, const std::string& what);

}  // namespace agentchat
