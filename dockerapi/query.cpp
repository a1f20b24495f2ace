#include "dockerapi/query.hpp"

#include <nlohmann/json.hpp>

namespace dockerapi {

std::string percentEncode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    }
  }
  return out;
}

std::string encodeQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out += out.empty() ? '?' : '&';
    out += percentEncode(key) + "=" + percentEncode(value);
  }
  return out;
}

std::string encodeFilters(const Filters& filters) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, values] : filters) json[key] = values;
  return json.dump();
}

}  // namespace dockerapi
