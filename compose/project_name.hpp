#pragma once
#include <string>

namespace compose {

// A directory name made into a project name as compose does: lowercase, only [a-z0-9_-], starting
// with a letter or digit. May return "" when nothing usable is left.
std::string normalizeProjectName(const std::string& raw);

// An explicitly given name (-p, COMPOSE_PROJECT_NAME, name:): lowercased, then it must already be valid.
// Throws compose::Error naming `origin` otherwise.
std::string validateProjectName(const std::string& raw, const std::string& origin);

}  // namespace compose
