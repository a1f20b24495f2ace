#pragma once
// Where a YAML node stands in its file, for error messages (1-based; 0 when unknown).
#include <yaml-cpp/yaml.h>

namespace compose {

inline int lineOf(const YAML::Node& node) {
  return node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
}

}  // namespace compose
