#include "compose/dotenv.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compose/error.hpp"

namespace compose {

namespace {

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool validKey(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (blank(c) || c == '"' || c == '\'' || c == '$' || c == '#' || c == '\n') return false;
  }
  return true;
}

// Double-quoted values: \n and \r become line breaks, \$ stays a literal dollar (it must survive
// the interpolation that follows, so it becomes $$), any other \X is X — as compose's dotenv does.
std::string unescapeDoubleQuoted(const std::string& inner) {
  std::string out;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] != '\\' || i + 1 == inner.size()) {
      out.push_back(inner[i]);
      continue;
    }
    char c = inner[++i];
    if (c == 'n') {
      out.push_back('\n');
    } else if (c == 'r') {
      out.push_back('\r');
    } else if (c == 't') {
      out.push_back('\t');
    } else if (c == '$') {
      out += "$$";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::vector<EnvEntry> parseDotenv(const std::string& text, const std::string& file, const Lookup& lookup) {
  std::vector<EnvEntry> entries;
  // Later lines may refer to earlier ones, before the outer environment is asked.
  std::map<std::string, std::string> seen;
  Lookup local = [&](const std::string& name) -> std::optional<std::string> {
    if (auto it = seen.find(name); it != seen.end()) return it->second;
    return lookup ? lookup(name) : std::nullopt;
  };
  auto fail = [&](int line, const std::string& key, const std::string& message) -> Error {
    return Error(file, line, key, message);
  };

  std::size_t pos = 0;
  int lineNo = 0;
  while (pos < text.size()) {
    ++lineNo;
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const int startLine = lineNo;
    std::size_t next = end + 1;  // where the following line starts, unless a quote spans lines
    std::size_t b = pos;
    while (b < end && blank(text[b])) ++b;
    if (b == end || text[b] == '#') {
      pos = next;
      continue;
    }
    if (text.compare(b, 6, "export") == 0 && b + 6 < end && blank(text[b + 6])) {
      b += 6;
      while (b < end && blank(text[b])) ++b;
    }
    std::size_t eq = text.find('=', b);
    if (eq == std::string::npos || eq >= end) {
      // A bare KEY: in an env_file it means "take KEY from the environment".
      std::string key = trim(text.substr(b, end - b));
      if (!validKey(key)) throw fail(startLine, "", "invalid variable name '" + key + "'");
      entries.push_back({key, std::nullopt});
      pos = next;
      continue;
    }
    std::string key = trim(text.substr(b, eq - b));
    if (!validKey(key)) throw fail(startLine, "", "invalid variable name '" + key + "'");
    std::size_t v = eq + 1;
    while (v < end && (text[v] == ' ' || text[v] == '\t')) ++v;

    std::string value;
    if (v < end && (text[v] == '\'' || text[v] == '"')) {
      // Quoted values may span lines (certificates, keys), so the scan runs over the whole text.
      const char quote = text[v];
      std::size_t close = std::string::npos;
      for (std::size_t i = v + 1; i < text.size(); ++i) {
        if (quote == '"' && text[i] == '\\') {
          ++i;
          continue;
        }
        if (text[i] == quote) {
          close = i;
          break;
        }
      }
      if (close == std::string::npos) throw fail(startLine, key, "unterminated quoted value");
      std::string inner = text.substr(v + 1, close - v - 1);
      for (char c : inner) lineNo += c == '\n';
      std::size_t after = text.find('\n', close);
      if (after == std::string::npos) after = text.size();
      std::string trailing = trim(text.substr(close + 1, after - close - 1));
      if (!trailing.empty() && trailing[0] != '#')
        throw fail(lineNo, key, "unexpected text after the closing quote: '" + trailing + "'");
      next = after + 1;
      try {
        value = quote == '\'' ? inner : interpolate(unescapeDoubleQuoted(inner), local);
      } catch (const std::invalid_argument& e) {
        throw fail(startLine, key, e.what());
      }
    } else {
      // Unquoted: a # starts a comment only after whitespace, so "pa#ss" stays whole.
      std::string rest = text.substr(v, end - v);
      for (std::size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '#' && blank(rest[i - 1])) {
          rest.resize(i);
          break;
        }
      }
      try {
        value = interpolate(trim(rest), local);
      } catch (const std::invalid_argument& e) {
        throw fail(startLine, key, e.what());
      }
    }
    seen[key] = value;
    entries.push_back({key, value});
    pos = next;
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
