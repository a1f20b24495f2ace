#pragma once
// What agentchat-lister (lister/, built alone and statically) and the plugin share: the walk order
// and the escaping of paths. Header-only and the standard library alone, so the lister can include it.
#include <optional>
#include <string>
#include <string_view>

namespace volumes::listing {

// The order of a walk and of a catalog: component by component, bytewise, so "a" and everything
// under it comes before "a.b" — the order of sorted readdir, and of Go's filepath.Walk that the
// engine's archive follows.
inline int compareWalkOrder(std::string_view a, std::string_view b) {
  for (;;) {
    auto ea = a.find('/'), eb = b.find('/');
    int c = a.substr(0, ea).compare(b.substr(0, eb));
    if (c != 0) return c < 0 ? -1 : 1;
    if (ea == std::string_view::npos || eb == std::string_view::npos)
      return ea == eb ? 0 : ea == std::string_view::npos ? -1 : 1;
    a.remove_prefix(ea + 1);
    b.remove_prefix(eb + 1);
  }
}

// '%', tab, CR and LF as %XX: a path is one field of a tab-separated line.
inline std::string escapePath(std::string_view path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '%' || c == '\t' || c == '\n' || c == '\r') {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// nullopt for a malformed escape.
inline std::optional<std::string> unescapePath(std::string_view text) {
  auto digit = [](char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = digit(text[i + 1]), lo = digit(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace volumes::listing
