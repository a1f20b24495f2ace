#pragma once
// Reading a FakeEngine's call log: which call failed, what was held when, and the window of a clean
// run that a test fails call by call.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/fake_engine.hpp"

namespace agentchat_test {

// The call that failed in `calls`, if one did.
inline std::optional<std::size_t> failedCall(const std::vector<EngineCall>& calls) {
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].failed) return i;
  }
  return std::nullopt;
}

inline bool calledAfter(const std::vector<EngineCall>& calls, std::size_t after, const std::string& call,
                        const std::string& target) {
  for (std::size_t i = after + 1; i < calls.size(); ++i) {
    if (calls[i].call == call && calls[i].target == target && !calls[i].failed) return true;
  }
  return false;
}

// The containers `call` succeeded on before `index`, and not undone by `undo` before it.
inline std::set<std::string> heldAt(const std::vector<EngineCall>& calls, std::size_t index,
                                    const std::string& call, const std::string& undo) {
  std::set<std::string> held;
  for (std::size_t i = 0; i < index; ++i) {
    if (calls[i].failed) continue;
    if (calls[i].call == call) held.insert(calls[i].target);
    if (calls[i].call == undo) held.erase(calls[i].target);
  }
  return held;
}

// From the first `first` call to the last `last` call (on a target starting with `lastTarget`) of a
// clean run.
inline std::pair<std::size_t, std::size_t> windowOf(const std::vector<EngineCall>& calls,
                                                    const std::string& first, const std::string& last,
                                                    const std::string& lastTarget = "") {
  std::size_t begin = calls.size(), end = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].call == first) begin = std::min(begin, i);
    if (calls[i].call == last && calls[i].target.starts_with(lastTarget)) end = i;
  }
  return {begin, end};
}

}  // namespace agentchat_test
