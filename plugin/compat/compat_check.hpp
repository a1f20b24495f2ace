#pragma once
// The compat findings of a backup against the running stack (what `compat` prints and `restore`
// checks before touching anything): MySQL versions and schemas, Redis RDB format.
#include <filesystem>
#include <vector>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"
#include "plugin/compat/compat.hpp"
#include "volumes/manifest.hpp"
#include "volumes/part_decoder.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

// A database service that is not running is a medium finding ("cannot compare").
std::vector<Finding> compatFindings(dockerapi::Engine& engine, const compose::Stack& stack,
                                    const volumes::Manifest& manifest, const volumes::BackupRef& backup,
                                    const volumes::PartKeys* keys);

}  // namespace agentchat
