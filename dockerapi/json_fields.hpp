#pragma once
// Lenient reads of engine JSON: a field that is missing, null or of another type reads as empty.
// Newer engines omit empty fields (API 1.52 drops unset image Config fields) and older ones send
// null for empty lists, so absence is normal, not an error.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dockerapi::json_fields {

inline std::string str(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

inline const nlohmann::json& member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

inline std::map<std::string, std::string> stringMap(const nlohmann::json& value) {
  std::map<std::string, std::string> out;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (item.is_string()) out[key] = item.get<std::string>();
    }
  }
  return out;
}

inline std::vector<std::string> stringList(const nlohmann::json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& item : value) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

}  // namespace dockerapi::json_fields
