#pragma once
// The agentchat-lister program embedded in the plugin, and the engine architecture it runs on.
#include <string_view>

namespace lister {

std::string_view program();
// As the engine names architectures (GET /version "Arch"): "amd64", "arm64", ...
std::string_view architecture();

}  // namespace lister
