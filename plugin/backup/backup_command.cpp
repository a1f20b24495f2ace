#include "plugin/backup/backup_command.hpp"

#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "base/human_units.hpp"
#include "plugin/backup/backup_plan.hpp"
#include "plugin/backup/backup_runner.hpp"
#include "plugin/cli/build_info.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/guard/dead_run.hpp"
#include "plugin/hooks/hook_runner.hpp"
#include "plugin/repository/copy_command.hpp"
#include "plugin/repository/part_keys.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/unattended/backup_report.hpp"
#include "volumes/audit_log.hpp"

namespace agentchat {

namespace {

class BackupCommand : public Command {
 public:
  std::string consistency;
  std::string only;
  std::string label;
  bool dryRun = false;
  bool json = false;
  std::vector<std::string> encryptTo;
  std::string passphraseFile;
  std::vector<std::string> copyTo;
  bool noNotify = false;
  bool dedup = false, noDedup = false;
  std::vector<std::string> identityFiles;

  void finished(int exitCode, const std::string& error) noexcept override {
    if (report_) report_->finished(exitCode, error);
  }

  int run(Session& session) override {
    compose::Stack stack = loadStack(session);
    BackupOptions options;
    std::string mode = consistency.empty() ? stack.settings.consistency.value_or("online") : consistency;
    if (mode != "online" && mode != "stop")
      throw std::invalid_argument("--consistency must be online or stop, not '" + mode + "'");
    options.consistency = mode == "stop" ? Consistency::Stop : Consistency::Online;
    options.only = parseComponents(only);
    auto repo = repositoryLocation(session, stack);
    if (!dryRun) {
      report_ = std::make_unique<BackupReport>(stack, repo, session.environ(), !noNotify);
      report_->started();
    }
    auto opened = openRepository(repo, session.environ());
    volumes::Repository& repository = *opened;
    auto encryption = chooseEncryption(encryptTo, passphraseFile, stack);
    auto keys = backupKeys(encryption, loadPartKeys(KeyOptions{identityFiles, {}}));
    if (!dryRun) {
      if (dedup || (!noDedup && storeByDefault(repository, encryption.manifest, !identityFiles.empty())))
        startDeduplicating(repository, encryption.recipients, encryption.manifest);
      openChunksForBackup(repository, encryption, keys);
    }
    // A run that died may have left containers paused or stopped: undone before the plan reads them.
    if (!dryRun && stack.engineView && undoDeadRunBeforePlanning(session.engine(), repository, stack.name))
      stack = loadStack(session);
    BackupPlan plan = planBackup(stack, options);

    if (dryRun) {
      printPlan(stack, plan, repo);
      if (!encryption.recipients.empty()) {
        std::cout << "parts encrypted (age) to:";
        for (const auto& r : encryption.manifest.recipients) std::cout << " " << r;
        std::cout << (encryption.manifest.passphrase ? " a passphrase" : "") << "\n";
      }
      return exit_code::kOk;
    }
    if (!stack.engineView) {
      throw ProjectNotFound("project " + stack.name + " has no containers on " +
                            session.engine().endpointName() +
                            ": bring it up (docker compose up -d) before backing it up");
    }
    HookRunner hooks(session.engine(), stack, report_->mask(), {{"AGENTCHAT_PROJECT", stack.name}});
    BackupSettings settings;
    settings.hooks = &hooks;
    settings.sanity = &stack.settings.sanity;
    settings.recipients = std::move(encryption.recipients);
    settings.encryption = encryption.manifest;
    settings.compressionLevel = stack.settings.compressionLevel.value_or(3);
    settings.label = label;
    settings.terminal = ::isatty(STDERR_FILENO) == 1;
    settings.toolVersion = kVersion;
    settings.environ = session.environ();
    audit["repository"] = repo;
    audit["project"] = stack.name;
    volumes::Manifest manifest;
    try {
      manifest = runBackup(session.engine(), stack, repository, plan, settings);
    } catch (...) {
      if (!hooks.records().empty()) audit["hooks"] = hooks.toJson();
      throw;
    }
    report_->completed(manifest);
    if (!hooks.records().empty()) audit["hooks"] = hooks.toJson();
    audit["backupId"] = manifest.id;
    audit["parts"] = volumes::partDigests(manifest);
    std::uint64_t total = 0;
    for (const auto& p : manifest.parts) total += p.size;
    // The off-site copy: the backup here is complete whatever happens to it, and the message says so.
    nlohmann::json copies = nlohmann::json::array();
    for (const auto& target : copyTo) {
      std::string where = absoluteLocation(target);
      try {
        copyToRepository(session, repository, stack.name, manifest.id, where, Dedup::Default, keys);
        copies.push_back({{"repository", where}, {"ok", true}});
      } catch (const std::exception& e) {
        copies.push_back({{"repository", where}, {"ok", false}});
        audit["copies"] = copies;
        throw volumes::RepositoryError(
            "backup " + manifest.id + " is complete in " + repo + ", but its copy to " + where +
            " failed: " + e.what() + "\nRetry with: docker agentchat copy " + manifest.id + " --to " + where +
            (settings.encryption.on() ? " (with --identity FILE or --passphrase-file FILE)" : ""));
      }
    }
    if (!copies.empty()) audit["copies"] = copies;
    if (json) {
      std::cout << nlohmann::json{{"id", manifest.id},
                                  {"project", manifest.project},
                                  {"directory", repository.backupLocation(stack.name, manifest.id)},
                                  {"size", total},
                                  {"copies", copies},
                                  {"parts", toJson(manifest)["parts"]},
                                  {"pauseSeconds", manifest.details["pause"]["seconds"]},
                                  {"warnings", manifest.details.value("sanity", nlohmann::json::object())
                                                   .value("warnings", nlohmann::json::array())},
                                  {"seconds", manifest.details["timings"]["totalSeconds"]}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "backup " << manifest.id << " of " << stack.name << " complete: " << manifest.parts.size()
                << " parts, " << base::humanBytes(total) << ", in "
                << repository.backupLocation(stack.name, manifest.id) << "\n";
    }
    return exit_code::kOk;
  }

 private:
  std::unique_ptr<BackupReport> report_;  // once the backup really starts

  static void printPlan(const compose::Stack& stack, const BackupPlan& plan, const std::string& repo) {
    std::cout << "backup plan for " << stack.name << " ("
              << (plan.consistency == Consistency::Online ? "online" : "stop") << ") into " << repo << "/"
              << stack.name << "/\n";
    for (const auto& p : plan.parts) {
      std::cout << "  " << p.name << "  " << volumes::partKindName(p.kind)
                << (p.service.empty() ? "" : " of " + p.service)
                << (p.source.empty() ? "" : " from " + p.source) << "\n";
    }
    if (!plan.hold.empty()) {
      std::cout << (plan.consistency == Consistency::Online ? "paused around the database snapshots:"
                                                            : "stopped during the copy, then started again:");
      for (const auto& c : plan.hold) std::cout << " " << c.name;
      std::cout << "\n";
    }
    for (const auto& note : plan.notes) std::cout << "  note: " << note << "\n";
  }
};

}  // namespace

RegisteredCommand addBackupCommand(CLI::App& app) {
  auto command = std::make_unique<BackupCommand>();
  auto* cli = app.add_subcommand("backup", "Back up the whole stack: databases, volumes, config and logs");
  cli->add_option("--consistency", command->consistency,
                  "online (default): pause app containers about a second around the database snapshots; "
                  "stop: stop the stack and copy every volume raw")
      ->check(CLI::IsMember({"online", "stop"}));
  cli->add_option("--only", command->only,
                  "Comma-separated parts: mysql,redis,postgres,volumes,config,logs,objects");
  cli->add_option("--label", command->label, "A label stored in the manifest");
  cli->add_flag("--dry-run", command->dryRun, "Print the plan; touch nothing");
  cli->add_flag("--json", command->json, "Print the result as JSON");
  cli->add_option("--encrypt-to", command->encryptTo,
                  "Encrypt every part to this age public key (age1…); repeatable. Default: x-agentchat "
                  "encrypt_to");
  cli->add_option("--passphrase-file", command->passphraseFile,
                  "Encrypt every part with the passphrase on this file's first line (age scrypt). Default: "
                  "x-agentchat passphrase_file");
  cli->add_option("--copy-to", command->copyTo,
                  "Then copy the backup to this repository too (e.g. s3://bucket/prefix); repeatable");
  cli->add_option("--identity", command->identityFiles,
                  "age identity file that opens the repository's encrypted deduplicated store, for backups "
                  "encrypted to public keys (--encrypt-to): without it they are kept as whole files; "
                  "repeatable");
  auto* dedupFlag = cli->add_flag("--dedup", command->dedup,
                                  "Keep this and every later backup of the repository (a directory or "
                                  "a bucket) as deduplicated chunks: an unchanged part costs its chunk "
                                  "list only. Default for a new repository");
  cli->add_flag("--no-dedup", command->noDedup,
                "Keep whole parts even in a new repository (one that holds no backup yet)")
      ->excludes(dedupFlag);
  cli->add_flag("--no-notify", command->noNotify,
                "Send no x-agentchat notify pings (a scheduled run sends them for the whole run)");
  return {cli, std::move(command)};
}

}  // namespace agentchat
