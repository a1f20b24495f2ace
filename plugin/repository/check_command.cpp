#include <iostream>
#include <nlohmann/json.hpp>

#include "base/human_units.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/part_keys.hpp"
#include "plugin/repository/repository_commands.hpp"
#include "plugin/repository/repository_location.hpp"
#include "volumes/local_repository.hpp"

namespace agentchat {

namespace {

// `check [--repair] [--json]`: every chunk of the repository's deduplicated store read and checked
// (verify checks one backup; this checks what all of them stand on).
class CheckCommand : public Command {
 public:
  bool repair = false;
  bool json = false;
  KeyOptions keyOptions;

  int run(Session& session) override {
    compose::Stack stack = loadStackForRepository(session);
    auto opened = openRepository(session, stack);
    if (opened->chunkStore() == nullptr)
      throw volumes::RepositoryError(opened->location() +
                                     " has no deduplicated store (backup --dedup makes one): there are no "
                                     "chunks to check; verify checks each backup's parts");
    if (!opened->unlockChunks(loadPartKeys(keyOptions)))
      throw std::invalid_argument(
          opened->location() +
          "/.chunks is encrypted: give its key with --identity FILE or --passphrase-file "
          "FILE (a key the store's backups are encrypted to) to read its chunks");
    auto lock = opened->lock(stack.name);
    auto checked = opened->check(repair);
    const auto& store = checked.store;
    bool ok = store.problems.empty() && checked.damagedBackups.empty();
    audit["repository"] = opened->location();
    audit["project"] = stack.name;
    audit["ok"] = ok;
    audit["repaired"] = store.repaired;
    if (json) {
      std::cout << nlohmann::json{{"ok", ok},
                                  {"packs", store.packs},
                                  {"chunks", store.chunks},
                                  {"bytes", store.bytes},
                                  {"chunksLost", store.lost.size()},
                                  {"problems", store.problems},
                                  {"damagedBackups", checked.damagedBackups},
                                  {"repaired", store.repaired}}
                       .dump(2)
                << "\n";
    } else {
      for (const auto& problem : store.problems) std::cout << "PROBLEM  " << problem << "\n";
      for (const auto& backup : checked.damagedBackups)
        std::cout << "DAMAGED  " << backup
                  << ": restore it from another copy of the repository, or delete it\n";
      std::cout << store.packs << " pack(s), " << store.chunks << " chunk(s), "
                << base::humanBytes(store.bytes)
                << " read: " << (ok ? "all sound" : std::to_string(store.lost.size()) + " chunk(s) lost")
                << "\n";
      if (store.repaired)
        std::cout << "repaired: the index no longer lists the lost chunks; the next backup stores them again "
                     "where their data still exists\n";
      else if (!store.lost.empty())
        std::cout << "check --repair makes the index forget the lost chunks, so the next backup stores them "
                     "again\n";
    }
    return ok ? exit_code::kOk : exit_code::kFailed;
  }
};

}  // namespace

RegisteredCommand addCheckCommand(CLI::App& app) {
  auto command = std::make_unique<CheckCommand>();
  auto* cli =
      app.add_subcommand("check",
                         "Read every chunk of the repository's deduplicated store and check it against "
                         "its name and its pack; list the backups that name lost chunks");
  cli->add_flag(
      "--repair", command->repair,
      "Make the index forget lost chunks (missing or damaged), so the next backup stores them again");
  cli->add_flag("--json", command->json, "Print the result as JSON");
  addKeyOptions(cli, command->keyOptions);
  return {cli, std::move(command)};
}

}  // namespace agentchat
