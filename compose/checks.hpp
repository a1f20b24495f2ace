#pragma once
// Checks that only make sense once all files are merged (a volume declared in one file and used in
// another is fine). Their errors point at the file and line that introduced the problem, found by
// looking through the individual files, because the merged tree no longer knows where it came from.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "compose/model.hpp"

namespace compose {

struct SourceFile {
  std::string name;  // as shown in messages
  YAML::Node root;   // interpolated, not merged
};

// Folds x-agentchat's `roles:` and `logs:` shorthands into the services; a service's own
// x-agentchat role wins over the shorthand. Unknown services are errors.
void applyShorthands(Project& project, const std::vector<SourceFile>& sources);

// Every service has an image or a build; named volumes, secrets and depends_on refer to things
// that are declared.
void checkReferences(const Project& project, const std::vector<SourceFile>& sources);

}  // namespace compose
