#include <iostream>

#include "base/human_units.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/repository_commands.hpp"
#include "plugin/repository/repository_location.hpp"
#include "plugin/unattended/sanity.hpp"
#include "volumes/repository.hpp"
#include "volumes/retention.hpp"

namespace agentchat {

namespace {

// The deduplicated store's garbage collection: packs no backup of any project names any more. A
// backup running meanwhile (any project) keeps them for the next prune rather than failing this one.
void collectChunks(volumes::Repository& repository) {
  if (repository.chunkStore() == nullptr) return;
  try {
    auto freed = repository.collectGarbage();
    std::cout << "chunks: " << freed.packsDeleted << " pack(s) deleted, "
              << base::humanBytes(freed.bytesFreed) << " freed; " << freed.packsKept << " pack(s) in use ("
              << base::humanBytes(freed.bytesKept) << ", " << base::humanBytes(freed.unreferencedBytesKept)
              << " of it no longer referenced)\n";
  } catch (const volumes::RepositoryError& e) {
    std::cout << "chunks: not collected: " << e.what() << "\n";
  }
}

class PruneCommand : public Command {
 public:
  std::optional<int> keepLast, keepDaily, keepWeekly, keepMonthly;
  bool dryRun = false;

  int run(Session& session) override {
    compose::Stack stack = loadStackForRepository(session);
    auto opened = openRepository(session, stack);
    volumes::Repository& repository = *opened;
    // The command line wins; else x-agentchat retention; else 30 daily backups (README: `backup`, retention).
    const auto& configured = stack.settings.retention;
    bool given = keepLast || keepDaily || keepWeekly || keepMonthly;
    bool fromSettings =
        configured.keepLast || configured.keepDaily || configured.keepWeekly || configured.keepMonthly;
    volumes::RetentionPolicy policy;
    if (given) {
      policy = {keepLast.value_or(0), keepDaily.value_or(0), keepWeekly.value_or(0), keepMonthly.value_or(0)};
    } else if (fromSettings) {
      policy = {configured.keepLast.value_or(0), configured.keepDaily.value_or(0),
                configured.keepWeekly.value_or(0), configured.keepMonthly.value_or(0)};
    } else {
      policy.keepDaily = 30;
    }
    for (int n : {policy.keepLast, policy.keepDaily, policy.keepWeekly, policy.keepMonthly}) {
      if (n < 0) throw std::invalid_argument("--keep-* values must not be negative");
    }

    auto lock = repository.lock(stack.name);  // no backup may finish between the decision and the deletion
    std::vector<volumes::BackupSummary> backups;
    for (const auto& id : repository.list(stack.name)) {
      auto verified = repository.verification(stack.name, id);
      bool sane = true;
      try {
        sane = passedSanity(repository.read(stack.name, id));
      } catch (const std::exception&) {
        // unreadable: not the one to keep as a known good backup, and verify will say so
        sane = false;
      }
      backups.push_back({id, verified && (*verified)["ok"] == true, sane});
    }
    int deleted = 0;
    if (!dryRun) {
      audit["repository"] = repository.location();
      audit["project"] = stack.name;
      audit["deleted"] = nlohmann::json::array();
    }
    for (const auto& decision : volumes::applyRetention(backups, policy)) {
      if (decision.keep) {
        std::string why;
        for (const auto& r : decision.reasons) why += (why.empty() ? "" : ", ") + r;
        std::cout << "keep    " << decision.id << " (" << why << ")\n";
        continue;
      }
      std::cout << (dryRun ? "would delete " : "delete  ") << decision.id << "\n";
      if (!dryRun) {
        repository.remove(stack.name, decision.id);
        audit["deleted"].push_back(decision.id);
      }
      ++deleted;
    }
    std::cout << (dryRun ? "dry run: " : "") << deleted << " backup(s) " << (dryRun ? "would be " : "")
              << "deleted\n";
    if (!dryRun) collectChunks(repository);
    return exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addPruneCommand(CLI::App& app) {
  auto command = std::make_unique<PruneCommand>();
  auto* cli = app.add_subcommand("prune",
                                 "Delete backups the retention policy does not keep (default: 30 daily); "
                                 "never the newest, nor the newest "
                                 "verified");
  cli->add_option("--keep-last", command->keepLast, "Keep the N newest backups");
  cli->add_option("--keep-daily", command->keepDaily, "Keep the newest backup of each of N days");
  cli->add_option("--keep-weekly", command->keepWeekly, "Keep the newest backup of each of N weeks");
  cli->add_option("--keep-monthly", command->keepMonthly, "Keep the newest backup of each of N months");
  cli->add_flag("--dry-run", command->dryRun, "Print what would be deleted; delete nothing");
  return {cli, std::move(command)};
}

}  // namespace agentchat
