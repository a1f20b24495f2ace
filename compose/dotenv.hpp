#pragma once
// .env and env_file contents as compose reads them: KEY=VALUE lines, `export` prefixes, comments,
// single quotes (literal), double quotes (escapes), unquoted values with trailing " # comment".
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/interpolate.hpp"

namespace compose {

struct EnvEntry {
  std::string key;
  std::optional<std::string> value;  // nullopt: a bare KEY, taken from the environment
};

// Parses `text` (from `file`, for error messages); values in double quotes or unquoted may refer to
// variables defined earlier in the file or found by `lookup`.
std::vector<EnvEntry> parseDotenv(const std::string& text, const std::string& file, const Lookup& lookup);

// Reads a file; nullopt if it does not exist. Throws compose::Error if it cannot be read.
std::optional<std::string> readTextFile(const std::string& path);

}  // namespace compose
