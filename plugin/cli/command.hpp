#pragma once
// A subcommand: it registers its options with CLI11, and runs once parsing has succeeded.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "plugin/cli/session.hpp"

namespace agentchat {

class Command {
 public:
  virtual ~Command() = default;
  // Returns the exit code (exit_codes.hpp); may throw dockerapi::EngineError and friends.
  virtual int run(Session& session) = 0;

  // Filled by commands that act on a repository: "repository" and "project" (where the audit line
  // goes), and what they did ("backupId", "parts" with sha256, ...). The CLI adds who, when, how
  // it ended, and appends it to the project's audit.log.
  nlohmann::json audit = nlohmann::json::object();

  // Called once the command has ended, however, with its exit code and the error printed ("" when
  // none): what reports a run to the outside (pings, metrics) does it here. Must not throw.
  virtual void finished(int /*exitCode*/, const std::string& /*error*/) noexcept {}
};

struct RegisteredCommand {
  CLI::App* cli;
  std::unique_ptr<Command> command;
};

}  // namespace agentchat
