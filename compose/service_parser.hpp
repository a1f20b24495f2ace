#pragma once
// From a (merged, interpolated) compose tree to the model's services and volumes.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>

#include "compose/interpolate.hpp"
#include "compose/model.hpp"

namespace compose {

struct ParseContext {
  std::filesystem::path workingDir;  // relative bind paths and env_file paths are resolved against it
  Lookup lookup;                     // for bare `KEY` environment entries
};

std::map<std::string, Service> parseServices(const YAML::Node& root, const std::string& file,
                                             const ParseContext& context);
std::map<std::string, Volume> parseVolumes(const YAML::Node& root, const std::string& file,
                                           const std::string& projectName);
std::map<std::string, SecretSpec> parseSecrets(const YAML::Node& root, const std::string& file,
                                               const std::filesystem::path& workingDir);
// Folds x-agentchat's roles:/logs: shorthands into the services (unknown services are errors).
void applyShorthands(Project& project, const std::string& file);
// A service that mounts a named volume (or uses a secret) the files do not declare is an error, as in
// compose.
void checkVolumeReferences(const Project& project, const std::string& file);

}  // namespace compose
