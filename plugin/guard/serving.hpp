#pragma once
// A service started again (after a stop-mode backup, a restore, a migration) is back when it
// serves: its database answers with its own login, or its health check says healthy.
#include <optional>
#include <string>

#include "base/error.hpp"
#include "compose/credentials.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

// The container exited after its start, or did not serve in time; the message says which and where
// to look.
class NotServing : public base::Error {
 public:
  using base::Error::Error;
};

// The first container of the service that is running now (the stack's states are as loaded).
std::string liveContainer(dockerapi::Engine& engine, const compose::StackService& service);

// Waits until the service answers (MySQL ping with its login, Redis PONG) or, for others, until a
// container with a health check is healthy. Throws NotServing when it exits or times out.
// The login is the service's own, read on `engine` (a *_FILE inside its running container).
void waitUntilServing(dockerapi::Engine& engine, const compose::StackService& service,
                      const std::string& containerId);
// The same with a login read before (a stand-in on another engine has neither the service's
// containers nor its secret files).
void waitUntilServing(dockerapi::Engine& engine, const compose::StackService& service,
                      const std::string& containerId, const std::optional<compose::DatabaseLogin>& login);

}  // namespace agentchat
