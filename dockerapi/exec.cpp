#include "dockerapi/exec.hpp"

#include <algorithm>
#include <cstring>

namespace dockerapi {

CapturedExec execCapture(Engine& engine, const std::string& container, const ExecSpec& spec,
                         const std::string& input, std::size_t limit) {
  CapturedExec captured;
  auto keep = [&captured, limit](std::string& into) {
    return [&captured, &into, limit](std::string_view chunk) {
      std::size_t room = limit > into.size() ? limit - into.size() : 0;
      if (chunk.size() > room) captured.truncated = true;
      into.append(chunk.substr(0, std::min(room, chunk.size())));
    };
  };
  base::ChunkSource source;
  if (!input.empty()) source = base::bytesSource(input);
  ExecResult result = engine.exec(container, spec, keep(captured.out), keep(captured.err), std::move(source));
  captured.execId = result.execId;
  captured.exitCode = result.exitCode;
  return captured;
}

}  // namespace dockerapi
