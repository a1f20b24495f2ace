#pragma once
// Compose v2 syntax this loader does not model: refused with the file, the line and what to do,
// because reading past it would leave services out of a backup without a word.
#include <yaml-cpp/yaml.h>

#include <string>

namespace compose {

// Top-level `include:`, a service's `extends:`, and the merge tags `!reset` / `!override`. Runs
// on the file as read, before interpolation (which may drop tags).
void refuseUnsupported(const YAML::Node& root, const std::string& file);

}  // namespace compose
