#pragma once
// One volume copied engine to engine: a helper container on each side (never started), the
// source's archive download piped straight into the target's archive upload. Nothing touches
// this host's disk; memory holds at most the pipe's few megabytes.
#include <cstdint>
#include <string>

#include "dockerapi/engine.hpp"
#include "plugin/cli/progress.hpp"

namespace agentchat {

struct VolumeEnd {
  dockerapi::Engine& engine;
  std::string image;   // for the helper container
  std::string volume;  // its name on that engine
};

// Returns the tar bytes moved. Throws what either engine throws (the other side is stopped).
std::uint64_t transferVolume(const VolumeEnd& from, const VolumeEnd& to, Progress::Part& shown);

}  // namespace agentchat
