#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/utc_time.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/part_keys.hpp"
#include "plugin/repository/repository_commands.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/restore/restore_drill.hpp"
#include "volumes/audit_log.hpp"
#include "volumes/part_check.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

namespace {

class VerifyCommand : public Command {
 public:
  std::string which = "latest";
  bool json = false;
  bool deep = false;
  KeyOptions keyOptions;

  int run(Session& session) override {
    compose::Stack stack = loadStackForRepository(session);
    auto opened = openRepository(session, stack);
    volumes::Repository& repository = *opened;
    std::string id = resolveBackupId(repository, stack.name, which);
    auto manifest = repository.read(stack.name, id);
    volumes::BackupRef backup{&repository, stack.name, id};

    // Without a key an encrypted backup's stored bytes are checked; --deep needs the key.
    auto keys = loadPartKeys(keyOptions);
    if (deep || !keys.empty() || sealedChunks(manifest)) requireKeysFor(repository, manifest, keys);
    nlohmann::json parts = nlohmann::json::array();
    bool ok = true;
    for (const auto& part : manifest.parts) {
      auto check = volumes::checkPart(backup, part, false, &keys);
      ok = ok && check.ok;
      parts.push_back({{"name", part.name},
                       {"ok", check.ok},
                       {"problem", check.problem},
                       {"contentChecked", check.contentChecked}});
      if (!json) {
        std::cout << (check.ok ? "ok      " : "FAILED  ") << part.name
                  << (check.ok ? (check.contentChecked ? ""
                                                       : " (stored bytes; encrypted, content not read "
                                                         "without --identity/--passphrase-file)")
                               : ": " + check.problem)
                  << "\n";
      }
    }
    nlohmann::json drills = nlohmann::json::array();
    if (deep) {
      for (const auto& drill : restoreDrill(session.engine(), manifest, backup, &keys)) {
        ok = ok && drill.ok;
        drills.push_back({{"part", drill.part},
                          {"ok", drill.ok},
                          {"problems", drill.problems},
                          {"seconds", drill.seconds}});
        if (!json) {
          std::cout << (drill.ok ? "ok      " : "FAILED  ") << drill.part << " restore drill ("
                    << static_cast<int>(drill.seconds) << " s)";
          for (const auto& p : drill.problems) std::cout << "\n          " << p;
          std::cout << "\n";
        }
      }
    }
    nlohmann::json result = {{"id", id},     {"ok", ok},       {"at", base::utcTimestamp()},
                             {"deep", deep}, {"parts", parts}, {"drills", drills}};
    repository.recordVerification(stack.name, id, result);
    audit["repository"] = repository.location();
    audit["project"] = stack.name;
    audit["backupId"] = id;
    audit["parts"] = volumes::partDigests(manifest);
    audit["deep"] = deep;
    if (json) {
      std::cout << result.dump(2) << "\n";
    } else {
      std::cout << "backup " << id
                << (ok ? ": all " + std::to_string(manifest.parts.size()) + " parts verified"
                       : ": VERIFICATION FAILED — do not restore from it; take a new backup")
                << "\n";
    }
    return ok ? exit_code::kOk : exit_code::kFailed;
  }
};

}  // namespace

RegisteredCommand addVerifyCommand(CLI::App& app) {
  auto command = std::make_unique<VerifyCommand>();
  auto* cli =
      app.add_subcommand("verify", "Check a backup's parts against its manifest (exit 1 on any mismatch)");
  cli->add_option("backup", command->which, "Backup id, or latest (default)");
  cli->add_flag(
      "--deep", command->deep,
      "Also a restore drill: load each database part into a throwaway container from the same image "
      "and compare row and key counts with the manifest");
  cli->add_flag("--json", command->json, "Print the result as JSON");
  addKeyOptions(cli, command->keyOptions);
  return {cli, std::move(command)};
}

}  // namespace agentchat
