#pragma once
// A subcommand: it registers its options with CLI11, and runs once parsing has succeeded.
#include <CLI/CLI.hpp>

#include "plugin/session.hpp"

namespace agentchat {

class Command {
 public:
  virtual ~Command() = default;
  // Returns the exit code (exit_codes.hpp); may throw dockerapi::EngineError and friends.
  virtual int run(Session& session) = 0;
};

struct RegisteredCommand {
  CLI::App* cli;
  std::unique_ptr<Command> command;
};

}  // namespace agentchat
