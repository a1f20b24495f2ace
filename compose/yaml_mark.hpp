#pragma once
// Where a YAML node stands in its file, and reading its values with errors that say so.
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <string>

#include "compose/error.hpp"

namespace compose {

// 1-based line of `node`; 0 when unknown (nodes built while merging have no position).
inline int lineOf(const YAML::Node& node) {
  return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
}

// The text of a scalar (string, number or boolean); a list or mapping is an Error naming file,
// line and key path. yaml-cpp's own "bad conversion" would name neither.
inline std::string scalarText(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (!node.IsScalar()) {
    throw Error(file, lineOf(node), path,
                node.IsNull() ? "must have a value" : "must be a string, not a list or mapping");
  }
  return node.Scalar();
}

// A YAML boolean as compose accepts it (true/false in any case); anything else is an Error.
inline bool booleanOf(const YAML::Node& node, const std::string& file, const std::string& path) {
  std::string text = scalarText(node, file, path);
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true") return true;
  if (text == "false") return false;
  throw Error(file, lineOf(node), path, "must be true or false");
}

}  // namespace compose
