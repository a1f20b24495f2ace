#pragma once
// Finds the compose project (files, or the labels compose left on its containers) and joins it
// with the engine's view into a Stack.
#include <stdexcept>

#include "base/error.hpp"
#include "compose/loader.hpp"
#include "compose/stack.hpp"
#include "plugin/cli/session.hpp"

namespace agentchat {

class ProjectNotFound : public base::Error {
 public:
  explicit ProjectNotFound(const std::string& message) : base::Error(message, base::exit_code::kNotFound) {}
};

// The project from the files only (no engine calls). Throws compose::Error or ProjectNotFound.
compose::Project loadProject(Session& session);

// Files + engine. With no compose file here but -p NAME, the files are found through the labels
// compose puts on the containers (com.docker.compose.project.config_files / working_dir).
compose::Stack loadStack(Session& session);

}  // namespace agentchat

namespace agentchat {

// For commands that read the repository only (list, verify, prune): the files alone when they are
// here, so these work with the engine down; else, as loadStack, through the engine.
compose::Stack loadStackForRepository(Session& session);

}  // namespace agentchat
