#include "plugin/repository/copy_command.hpp"

#include <chrono>
#include <iostream>

#include "base/human_units.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/repository_location.hpp"
#include "volumes/audit_log.hpp"

namespace agentchat {

namespace {

class CopyCommand : public Command {
 public:
  std::string which = "latest", to, from;
  bool dedup = false, noDedup = false;
  KeyOptions keyOptions;

  int run(Session& session) override {
    compose::Stack stack = loadStackForRepository(session);
    std::string source = from.empty() ? repositoryLocation(session, stack) : absoluteLocation(from);
    std::string target = absoluteLocation(to);
    if (source == target)
      throw std::invalid_argument("copy: --to is the repository it copies from (" + source + ")");
    auto opened = openRepository(source, session.environ());
    std::string id = resolveBackupId(*opened, stack.name, which);
    audit["repository"] = target;
    audit["project"] = stack.name;
    audit["backupId"] = id;
    audit["from"] = source;
    auto manifest = opened->read(stack.name, id);
    audit["parts"] = volumes::partDigests(manifest);
    copyToRepository(session, *opened, stack.name, id, target,
                     dedup ? Dedup::On : (noDedup ? Dedup::Off : Dedup::Default), loadPartKeys(keyOptions));
    return exit_code::kOk;
  }
};

}  // namespace

volumes::CopyResult copyToRepository(const Session& session, const volumes::Repository& from,
                                     const std::string& project, const std::string& id,
                                     const std::string& toLocation, Dedup dedup,
                                     const volumes::PartKeys& keys) {
  auto to = openRepository(toLocation, session.environ());
  // An encrypted backup keeps its encryption: chunks into a store encrypted as it is, else whole
  // age files to its own recipients (its passphrase when the keys hold it).
  auto manifest = from.read(project, id);
  // Sealed chunks are read with the backup's key, proven here before anything is made.
  if (sealedChunks(manifest)) requireKeysFor(from, manifest, keys);
  auto encryption = sameEncryptionAs(manifest, keys);
  bool sealable = !manifest.encryption.passphrase || encryption.recipients.size() == 1;
  // By default only a backup whose parts would arrive as chunks (unencrypted, or sealed chunks)
  // makes a store: whole age files stay whole, and a store would only turn away later backups.
  bool asChunks = !manifest.encryption.on() || sealedChunks(manifest);
  if (dedup == Dedup::On ||
      (dedup == Dedup::Default && asChunks && storeByDefault(*to, manifest.encryption, !keys.empty()))) {
    // A new store is encrypted for a backup of sealed chunks (its keys proven above); whole age
    // parts stay whole wherever they go, so they need no such store.
    if (sealedChunks(manifest))
      startDeduplicating(*to, encryption.recipients, manifest.encryption);
    else
      startDeduplicating(*to);
  }
  if (manifest.encryption.on()) to->unlockChunks(backupKeys(encryption, keys));
  auto lock = to->lock(project);
  auto started = std::chrono::steady_clock::now();
  auto result = volumes::copyBackup(from, *to, project, id,
                                    sealable ? encryption.recipients : std::vector<volumes::AgeRecipient>{});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "copied backup " << id << " of " << project << " to " << to->backupLocation(project, id)
            << ": " << result.parts << " parts, " << base::humanBytes(result.bytes) << " in "
            << static_cast<int>(seconds * 10) / 10.0 << " s, every sha256 as in its manifest\n";
  return result;
}

RegisteredCommand addCopyCommand(CLI::App& app) {
  auto command = std::make_unique<CopyCommand>();
  auto* cli = app.add_subcommand("copy", "Copy one backup to another repository (e.g. s3://bucket/prefix)");
  cli->add_option("backup", command->which, "Backup id, or latest (default)");
  cli->add_option("--to", command->to, "The repository to copy to: a directory or s3://bucket/prefix")
      ->required();
  cli->add_option("--from", command->from,
                  "The repository to copy from (default: the project's, see --repo)");
  auto* dedupFlag =
      cli->add_flag("--dedup", command->dedup,
                    "Give the target its deduplicated store first: unencrypted parts arrive as chunks, "
                    "which is how a repository of whole parts is converted. Default for a new target");
  cli->add_flag("--no-dedup", command->noDedup,
                "Keep whole parts even in a new target (one that holds no backup yet)")
      ->excludes(dedupFlag);
  addKeyOptions(cli, command->keyOptions);
  return {cli, std::move(command)};
}

}  // namespace agentchat
