#pragma once
// Loads a compose project the way `docker compose` does: which files, which .env, which project
// name, interpolation, and the merge of several files into one model.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/files.hpp"
#include "compose/model.hpp"
#include "compose/shell_split.hpp"

namespace compose {

struct LoadOptions {
  std::vector<std::string> files;                         // -f, in order; empty: COMPOSE_FILE or the defaults
  std::optional<std::string> projectName;                 // -p
  std::optional<std::filesystem::path> projectDirectory;  // --project-directory
  std::vector<std::filesystem::path> envFiles;            // --env-file; empty: <project dir>/.env if present
  std::vector<std::string> profiles;                      // --profile, added to COMPOSE_PROFILES
  std::filesystem::path cwd;
  std::map<std::string, std::string> environ;  // the process environment (injected for tests)
};

// Throws compose::Error ("file:line: key.path: message") for anything it cannot accept. Files are
// named in messages relative to `cwd` when they lie below it, else by their absolute path.
Project load(const LoadOptions& options);

}  // namespace compose
