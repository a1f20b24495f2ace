#pragma once
// The one line of a program's output worth quoting in an error message.
#include <string>

namespace base {

// The first non-empty line of `text` (without its newline), or "".
inline std::string firstLine(const std::string& text) {
  auto start = text.find_first_not_of("\r\n");
  if (start == std::string::npos) return {};
  auto end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace base
