#include "compose/interpolate.hpp"

#include <cctype>
#include <stdexcept>

namespace compose {

namespace {

bool nameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool nameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

// Finds the '}' closing a "${" whose body starts at `from`, honouring nested "${...}" (a default
// may itself hold references) and skipping "$$", which is an escaped dollar and opens nothing.
std::size_t closingBrace(std::string_view text, std::size_t from) {
  int depth = 1;
  for (std::size_t i = from; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      ++i;
    } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string braced(std::string_view body, const Lookup& lookup) {
  std::size_t n = 0;
  while (n < body.size() && nameChar(body[n])) ++n;
  std::string name(body.substr(0, n));
  // Like compose, a name starts with a letter or underscore.
  if (name.empty() || !nameStart(name[0]))
    throw std::invalid_argument("invalid interpolation format for \"${" + std::string(body) + "}\"");
  std::string_view rest = body.substr(n);
  std::optional<std::string> value = lookup(name);
  if (rest.empty()) return value.value_or("");

  bool colon = rest.front() == ':';
  if (colon) rest.remove_prefix(1);
  if (rest.empty())
    throw std::invalid_argument("invalid interpolation format for \"${" + std::string(body) + "}\"");
  char op = rest.front();
  std::string_view arg = rest.substr(1);
  // With a colon, an empty value counts as unset.
  bool set = value.has_value() && (!colon || !value->empty());
  switch (op) {
    case '-':
      return set ? *value : interpolate(arg, lookup);
    case '+':
      return set ? interpolate(arg, lookup) : std::string{};
    case '?':
      if (set) return *value;
      throw std::invalid_argument("required variable " + name + " is missing a value" +
                                  (arg.empty() ? std::string{} : ": " + interpolate(arg, lookup)));
    default:
      throw std::invalid_argument("invalid interpolation format for \"${" + std::string(body) + "}\"");
  }
}

}  // namespace

std::string interpolate(std::string_view text, const Lookup& lookup) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size()) {
      out.push_back(text[i]);
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out.push_back('$');
      ++i;
    } else if (next == '{') {
      std::size_t close = closingBrace(text, i + 2);
      if (close == std::string_view::npos) {
        throw std::invalid_argument("unterminated variable reference \"" + std::string(text.substr(i)) +
                                    "\"");
      }
      out += braced(text.substr(i + 2, close - i - 2), lookup);
      i = close;
    } else if (nameStart(next)) {
      std::size_t end = i + 1;
      while (end < text.size() && nameChar(text[end])) ++end;
      out += lookup(std::string(text.substr(i + 1, end - i - 1))).value_or("");
      i = end - 1;
    } else {
      out.push_back('$');
    }
  }
  return out;
}

}  // namespace compose
