#pragma once
// Convenience over Engine::exec for short commands whose output fits in memory.
#include <string>

#include "dockerapi/engine.hpp"

namespace dockerapi {

struct CapturedExec {
  std::string execId;
  int exitCode = -1;
  std::string out;
  std::string err;
  bool truncated = false;  // output beyond the limit was dropped
};

// Runs `spec` in `container`, keeping at most `limit` bytes of each stream. `input`, when not
// empty, is written to the process's stdin.
CapturedExec execCapture(Engine& engine, const std::string& container, const ExecSpec& spec,
                         const std::string& input = {}, std::size_t limit = 4 * 1024 * 1024);

}  // namespace dockerapi
