#pragma once
#include <string>

namespace agentchat {

// What `docker-agentchat docker-cli-plugin-metadata` prints for the docker CLI's plugin manager.
std::string pluginMetadataJson();

}  // namespace agentchat
