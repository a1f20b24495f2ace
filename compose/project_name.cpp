#include "compose/project_name.hpp"

#include <cctype>

#include "compose/error.hpp"

namespace compose {

namespace {
bool allowed(char c) {
  return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
         c == '_' || c == '-';
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::string normalizeProjectName(const std::string& raw) {
  std::string out;
  for (char c : lower(raw)) {
    if (allowed(c)) out.push_back(c);
  }
  std::size_t start = 0;
  while (start < out.size() && (out[start] == '_' || out[start] == '-')) ++start;
  return out.substr(start);
}

std::string validateProjectName(const std::string& raw, const std::string& origin) {
  std::string name = lower(raw);
  bool ok = !name.empty() && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && allowed(c);
  if (!ok) {
    throw Error(
        origin + ": invalid project name \"" + raw +
        "\": it must contain only lowercase letters, digits, dashes and underscores, and start with a "
        "letter or digit");
  }
  return name;
}

}  // namespace compose
