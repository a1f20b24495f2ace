#pragma once
// Server versions as numbers, for comparisons: "10.11.18-MariaDB-0+deb12u1-log" -> {10, 11, 18},
// "7.0" -> {7, 0, 0}. Whatever follows the numbers is ignored.
#include <cctype>
#include <string>
#include <vector>

namespace agentchat {

inline std::vector<int> versionNumbers(const std::string& version) {
  std::vector<int> out;
  std::size_t at = 0;
  while (at < version.size() && out.size() < 3 && std::isdigit(static_cast<unsigned char>(version[at]))) {
    std::size_t used = 0;
    out.push_back(std::stoi(version.substr(at), &used));
    at += used;
    if (at < version.size() && version[at] == '.') ++at;
  }
  out.resize(3, 0);
  return out;
}

}  // namespace agentchat
