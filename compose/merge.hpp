#pragma once
// Merging a later compose file into an earlier one, per the compose spec: mappings merge key by
// key; command, entrypoint and other scalars are replaced; environment and labels merge by key;
// a service's volumes merge by target, its secrets by target; env_file and depends_on add up.
#include <yaml-cpp/yaml.h>

namespace compose {

// Returns a new tree. The inputs are not modified; the result shares their unchanged nodes
// (no YAML::Clone, which would drop the line numbers later error messages need).
YAML::Node mergeFiles(const YAML::Node& base, const YAML::Node& overlay);

}  // namespace compose
