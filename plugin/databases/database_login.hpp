#pragma once
// A database service's login, from its container's own configuration. *_FILE variants are read
// inside the running container.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compose/credentials.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

// nullopt when the service needs none (Redis without a password) or none can be found.
// Throws std::runtime_error when a *_FILE cannot be read.
std::optional<compose::DatabaseLogin> databaseLogin(dockerapi::Engine& engine,
                                                    const compose::StackService& service);

// The files the container's *_FILE variables name (absolute paths), path -> content, read inside the
// running `container`: what a stand-in of the service needs to start as the service does. Throws
// std::runtime_error naming the file when one cannot be read.
std::map<std::string, std::string> secretFiles(dockerapi::Engine& engine,
                                               const compose::StackService& service,
                                               const std::string& container,
                                               const std::vector<std::string>& env);

// Where the login would come from, without reading anything (for `inspect`): "MYSQL_ROOT_PASSWORD", ...
std::string loginSource(const compose::StackService& service);

// The first running container of a service, or "" if none runs.
std::string runningContainer(const compose::StackService& service);

}  // namespace agentchat
