#include "plugin/compat/compat_command.hpp"

#include <iomanip>
#include <iostream>

#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/compat/compat_check.hpp"
#include "plugin/repository/part_keys.hpp"
#include "plugin/repository/repository_location.hpp"

namespace agentchat {

namespace {

class CompatCommand : public Command {
 public:
  std::string which = "latest";
  bool json = false;
  KeyOptions keyOptions;

  int run(Session& session) override {
    compose::Stack stack = loadStack(session);
    auto opened = openRepository(session, stack);
    volumes::Repository& repository = *opened;
    std::string id = resolveBackupId(repository, stack.name, which);
    auto manifest = repository.read(stack.name, id);
    auto& engine = session.engine();

    auto keys = loadPartKeys(keyOptions);
    requireKeysFor(repository, manifest, keys);
    auto findings = compatFindings(engine, stack, manifest, {&repository, stack.name, id}, &keys);
    Risk overall = worst(findings);
    if (json) {
      nlohmann::json out = {{"id", id}, {"risk", findings.empty() ? "none" : riskName(overall)}};
      out["findings"] = nlohmann::json::array();
      for (const auto& f : findings) {
        out["findings"].push_back(
            {{"risk", riskName(f.risk)}, {"subject", f.subject}, {"change", f.change}, {"reason", f.reason}});
      }
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "backup " << id << " against the running " << stack.name << ": "
                << (findings.empty() ? "no differences" : std::string(riskName(overall)) + " risk") << "\n";
      for (const auto& f : findings) {
        std::cout << "  " << std::left << std::setw(7) << riskName(f.risk) << f.subject << ": " << f.change
                  << " — " << f.reason << "\n";
      }
    }
    return overall == Risk::High ? exit_code::kFailed : exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addCompatCommand(CLI::App& app) {
  auto command = std::make_unique<CompatCommand>();
  auto* cli = app.add_subcommand("compat",
                                 "Compare a backup with the running stack: server versions, schemas, Redis "
                                 "RDB format (exit 1 on high risk)");
  cli->add_option("backup", command->which, "Backup id, or latest (default)");
  cli->add_flag("--json", command->json, "Print the findings as JSON");
  addKeyOptions(cli, command->keyOptions);
  return {cli, std::move(command)};
}

}  // namespace agentchat
