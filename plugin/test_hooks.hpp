#pragma once
// Test-only fault injection, off unless AGENTCHAT_TEST_FAULT is set. A test names a point in a
// flow: "<flow>:<point>" makes the flow fail there; "<flow>:hold:<point>" makes it wait there
// until the file AGENTCHAT_TEST_HOLD names is removed (it creates <file>.reached on arrival), so
// the test can do to an engine what a real fault would (stop it) at exactly that moment.
#include <string>

namespace agentchat {

// `fault` is the AGENTCHAT_TEST_FAULT value; `point` e.g. "restore:mysql". Holds if asked to;
// returns true when the flow should fail at this point.
bool faultAt(const std::string& fault, const std::string& point);

}  // namespace agentchat
