#pragma once
// From a compose tree (one interpolated file, or the merge of all) to the model's services.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>

#include "compose/interpolate.hpp"
#include "compose/model.hpp"

namespace compose {

struct ParseContext {
  std::filesystem::path workingDir;  // relative bind paths and env_file paths are resolved against it
  Lookup lookup;                     // bare `KEY` environment entries, and HOME for `~`
};

// `file` names the source in error messages. Throws compose::Error.
std::map<std::string, Service> parseServices(const YAML::Node& root, const std::string& file,
                                             const ParseContext& context);

// One entry of a service's volumes: short "src:dst[:ro|rw]" / "dst", or the long mapping form.
Mount parseMount(const YAML::Node& node, const std::string& file, const std::string& path,
                 const ParseContext& context);

}  // namespace compose
