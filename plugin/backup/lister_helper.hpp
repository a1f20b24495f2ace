#pragma once
// A helper container that runs the plugin's static agentchat-lister (lister/): its main process is
// the lister's `wait`, the program is copied in through the archive API, so any image will do
// (distroless too). A backup's volume listing and migrate's reach of a bucket exec in it.
#include <functional>
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"
#include "dockerapi/helper_container.hpp"

namespace agentchat {

inline constexpr const char* kListerPath = "/agentchat-lister";

// Created, the lister copied in, started. `created` is told the container's id before anything else
// is done with it (to remove it on Ctrl-C); `network`: the engine's default network, else none.
dockerapi::HelperContainer startListerHelper(dockerapi::Engine& engine, const std::string& image,
                                             std::vector<dockerapi::MountSpec> mounts,
                                             const std::string& purpose, bool network = false,
                                             const std::function<void(const std::string&)>& created = {});

}  // namespace agentchat
