#pragma once
// The shell commands the plugin's helper containers run, done on the fake engine's file trees.
#include "tests/support/fake_engine.hpp"

namespace agentchat_test {

// `sh -c 'rm -rf -- "$0"/* "$0"/.[!.]* "$0"/..?*' DIR` (restore_steps.cpp): empties DIR.
inline void answerVolumeEmptying(FakeEngine& engine) {
  engine.onExec([&engine](const ExecRequest& request) -> std::optional<ExecReply> {
    const auto& cmd = request.cmd;
    if (cmd.size() != 4 || cmd[0] != "sh" || cmd[1] != "-c" || !cmd[2].starts_with("rm -rf -- \"$0\"/*"))
      return std::nullopt;
    auto [tree, relative] = engine.resolve(request.container, cmd[3]);
    tree->removeBelow(relative);
    return ExecReply{};
  });
}

// `sh -c 'chown -R "$(stat -c %u:%g "$0")" "$0"' DIR` (redis_files.cpp): the fake has no owners.
inline void answerOwnerFix(FakeEngine& engine) {
  engine.onExec([](const ExecRequest& request) -> std::optional<ExecReply> {
    const auto& cmd = request.cmd;
    if (cmd.size() != 4 || cmd[0] != "sh" || cmd[1] != "-c" || !cmd[2].starts_with("chown -R "))
      return std::nullopt;
    return ExecReply{};
  });
}

}  // namespace agentchat_test
