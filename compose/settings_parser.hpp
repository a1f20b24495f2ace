#pragma once
// Validates and reads x-agentchat blocks. Unknown keys and wrong types are errors that name the
// file, line and full key path, and list the keys that are known.
#include <yaml-cpp/yaml.h>

#include <string>

#include "compose/settings.hpp"

namespace compose {

Settings parseSettings(const YAML::Node& node, const std::string& file);
ServiceSettings parseServiceSettings(const YAML::Node& node, const std::string& file,
                                     const std::string& service);

}  // namespace compose
