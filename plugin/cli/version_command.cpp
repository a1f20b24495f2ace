#include "plugin/cli/version_command.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "plugin/cli/build_info.hpp"
#include "plugin/cli/exit_codes.hpp"

namespace agentchat {

namespace {

class VersionCommand : public Command {
 public:
  bool json = false;

  int run(Session& session) override {
    // The plugin's own version first, so it shows even when the engine cannot be reached.
    if (!json) std::cout << "docker-agentchat " << kVersion << std::endl;
    const auto& resolved = session.endpoint();
    auto& engine = session.engine();
    dockerapi::ApiVersion negotiated = engine.apiVersion();
    dockerapi::VersionInfo server = engine.version();
    if (json) {
      nlohmann::ordered_json out = {
          {"client", {{"version", kVersion}, {"apiVersion", dockerapi::kMaxApiVersion.str()}}},
          {"engine",
           {{"version", server.engineVersion},
            {"apiVersion", server.apiVersion},
            {"minApiVersion", server.minApiVersion},
            {"os", server.os},
            {"arch", server.arch}}},
          {"negotiatedApiVersion", negotiated.str()},
          {"endpoint",
           {{"address", resolved.endpoint.display()},
            {"context", resolved.contextName},
            {"source", resolved.source}}},
      };
      std::cout << out.dump(2) << "\n";
      return exit_code::kOk;
    }
    std::cout << "  engine:    Docker " << server.engineVersion << " (" << server.os << "/" << server.arch
              << ", API " << server.apiVersion << ")\n"
              << "  api:       " << negotiated.str() << " (negotiated; plugin speaks "
              << dockerapi::kMinApiVersion.str() << " to " << dockerapi::kMaxApiVersion.str() << ")\n"
              << "  endpoint:  " << resolved.endpoint.display() << " (context " << resolved.contextName
              << ", " << resolved.source << ")\n";
    return exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addVersionCommand(CLI::App& app) {
  auto command = std::make_unique<VersionCommand>();
  auto* cli = app.add_subcommand("version", "Show the plugin's and the Docker engine's versions");
  cli->add_flag("--json", command->json, "Print JSON");
  return {cli, std::move(command)};
}

}  // namespace agentchat
