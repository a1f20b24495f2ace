#pragma once
// Which compose files make up the project: -f in order, else COMPOSE_FILE, else the default names
// in the working directory — the same choice `docker compose` makes.
#include <filesystem>
#include <string>
#include <vector>

#include "compose/interpolate.hpp"

namespace compose {

// The first of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml in `dir`, plus its
// .override. sibling (same stem, .yaml preferred) when present. Throws compose::Error listing the
// names tried when there is none.
std::vector<std::filesystem::path> defaultFiles(const std::filesystem::path& dir);

// -f FILE... when given; else COMPOSE_FILE (split at COMPOSE_PATH_SEPARATOR, ':' by default);
// else defaultFiles(cwd). `env` answers COMPOSE_FILE and COMPOSE_PATH_SEPARATOR (process environment
// first, then the .env file, as compose does). Paths come back absolute and normalised; relative
// ones are taken from `cwd`. Reading a file from stdin ("-") is not supported.
std::vector<std::filesystem::path> composeFiles(const std::vector<std::string>& explicitFiles,
                                                const std::filesystem::path& cwd, const Lookup& env);

}  // namespace compose
