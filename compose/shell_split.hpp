#pragma once
#include <string>
#include <vector>

namespace compose {

// Splits a command string into words as a POSIX shell would: single quotes are literal, double
// quotes allow \" and \\, a backslash outside quotes escapes the next character. No expansion.
// This is what compose does with `command: redis-server --requirepass "a b"`.
std::vector<std::string> shellSplit(const std::string& text);

}  // namespace compose
