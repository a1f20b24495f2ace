#pragma once
// Loads a compose project the way `docker compose` does: which files, which .env, which project
// name, interpolation, and the merge of several files into one model.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/model.hpp"

namespace compose {

struct LoadOptions {
  std::vector<std::string> files;                         // -f, in order; empty: COMPOSE_FILE or the defaults
  std::optional<std::string> projectName;                 // -p
  std::optional<std::filesystem::path> projectDirectory;  // --project-directory
  std::vector<std::filesystem::path> envFiles;            // --env-file; empty: <project dir>/.env if present
  std::filesystem::path cwd;
  std::map<std::string, std::string> environ;  // the process environment (injected for tests)
};

// Throws compose::Error ("file:line: key.path: message") for anything it cannot accept.
Project load(const LoadOptions& options);

// The compose files to use when no -f is given: the first of compose.yaml, compose.yml,
// docker-compose.yaml, docker-compose.yml in `dir`, plus its .override. sibling when present.
std::vector<std::filesystem::path> defaultFiles(const std::filesystem::path& dir);

// Splits a command string as a POSIX shell would split words (quotes and backslashes; no expansion).
std::vector<std::string> shellSplit(const std::string& text);

}  // namespace compose
