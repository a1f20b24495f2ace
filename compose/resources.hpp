#pragma once
// The project's top-level volumes: and secrets: — what exists beside the services.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>

#include "compose/model.hpp"

namespace compose {

// Each volume's engine name is its `name:` (external ones: `name:` or the key), else
// <project>_<key>, which is how compose names the volumes it creates.
std::map<std::string, Volume> parseVolumes(const YAML::Node& root, const std::string& file,
                                           const std::string& projectName);

// file: secrets get an absolute host path (relative ones start at the project directory).
std::map<std::string, SecretSpec> parseSecrets(const YAML::Node& root, const std::string& file,
                                               const std::filesystem::path& workingDir);

}  // namespace compose
