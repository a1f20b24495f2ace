#pragma once
// Merging a later compose file into an earlier one, per the compose spec: mappings merge key by
// key; command, entrypoint and other scalars are replaced; environment and labels merge by key;
// a service's volumes merge by target; depends_on is a union.
#include <yaml-cpp/yaml.h>

namespace compose {

// Returns a new tree; neither input is modified.
YAML::Node mergeFiles(const YAML::Node& base, const YAML::Node& overlay);

}  // namespace compose
