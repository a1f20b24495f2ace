#include "compose/dotenv.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compose/error.hpp"

namespace compose {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<EnvEntry> parseDotenv(const std::string& text, const std::string& file, const Lookup& lookup) {
  std::vector<EnvEntry> entries;
  std::map<std::string, std::string> seen;
  Lookup local = [&](const std::string& name) -> std::optional<std::string> {
    if (auto it = seen.find(name); it != seen.end()) return it->second;
    return lookup ? lookup(name) : std::nullopt;
  };
  std::istringstream in(text);
  std::string raw;
  int lineNo = 0;
  while (std::getline(in, raw)) {
    ++lineNo;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string::npos) {
      entries.push_back({line, std::nullopt});
      continue;
    }
    std::string key = trim(line.substr(0, eq));
    if (key.empty() || key.find_first_of(" \t") != std::string::npos) {
      throw Error(file, lineNo, "", "invalid variable name '" + key + "'");
    }
    std::string rest = line.substr(eq + 1);
    std::size_t lead = rest.find_first_not_of(" \t");
    rest = lead == std::string::npos ? std::string{} : rest.substr(lead);
    std::string value;
    if (!rest.empty() && (rest[0] == '\'' || rest[0] == '"')) {
      char quote = rest[0];
      std::size_t close = std::string::npos;
      for (std::size_t i = 1; i < rest.size(); ++i) {
        if (quote == '"' && rest[i] == '\\') {
          ++i;
          continue;
        }
        if (rest[i] == quote) {
          close = i;
          break;
        }
      }
      if (close == std::string::npos) throw Error(file, lineNo, key, "unterminated quoted value");
      std::string inner = rest.substr(1, close - 1);
      if (quote == '\'') {
        value = inner;
      } else {
        std::string unescaped;
        for (std::size_t i = 0; i < inner.size(); ++i) {
          if (inner[i] == '\\' && i + 1 < inner.size()) {
            char c = inner[++i];
            unescaped.push_back(c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c);
          } else {
            unescaped.push_back(inner[i]);
          }
        }
        value = interpolate(unescaped, local);
      }
    } else {
      auto comment = rest.find(" #");
      if (comment != std::string::npos) rest = rest.substr(0, comment);
      value = interpolate(trim(rest), local);
    }
    seen[key] = value;
    entries.push_back({key, value});
  }
  return entries;
}

std::optional<std::string> readTextFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, 0, "", "cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace compose
