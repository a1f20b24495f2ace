#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/human_units.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/repository/repository_commands.hpp"
#include "plugin/repository/repository_location.hpp"
#include "volumes/repository.hpp"

namespace agentchat {

namespace {

class ListCommand : public Command {
 public:
  bool json = false;

  int run(Session& session) override {
    compose::Stack stack = loadStackForRepository(session);
    auto opened = openRepository(session, stack);
    volumes::Repository& repository = *opened;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& id : repository.list(stack.name)) {
      nlohmann::json row = {{"id", id}};
      try {
        auto manifest = repository.read(stack.name, id);
        // What the backup holds, and what it added (a chunked part adds only the chunks that were new).
        std::uint64_t size = 0, added = 0;
        for (const auto& p : manifest.parts) {
          size += p.size;
          added += p.chunked() ? p.newSize : p.size;
        }
        row["createdAt"] = manifest.createdAt;
        row["size"] = size;
        row["newSize"] = added;
        row["parts"] = manifest.parts.size();
        row["consistency"] = manifest.consistency;
        row["label"] = manifest.label;
        row["encrypted"] = manifest.encryption.on();
      } catch (const std::exception& e) {
        row["error"] = e.what();  // listed, not hidden: a broken manifest needs a person
      }
      auto verified = repository.verification(stack.name, id);
      row["verified"] = verified ? (*verified)["ok"] : nlohmann::json(nullptr);
      row["verifiedAt"] = verified ? (*verified)["at"] : nlohmann::json(nullptr);
      row["directory"] = repository.backupLocation(stack.name, id);
      out.push_back(row);
    }
    if (json) {
      std::cout << out.dump(2) << "\n";
      return exit_code::kOk;
    }
    if (out.empty()) {
      std::cout << "no backups of " << stack.name << " in " << repository.location() << "\n";
      return exit_code::kOk;
    }
    std::cout << std::left << std::setw(18) << "ID" << std::setw(22) << "CREATED" << std::setw(11) << "SIZE"
              << std::setw(11) << "NEW" << std::setw(7) << "PARTS" << std::setw(9) << "MODE" << std::setw(10)
              << "ENCRYPTED"
              << "VERIFIED\n";
    for (const auto& row : out) {
      if (row.contains("error")) {
        std::cout << std::setw(18) << row["id"].get<std::string>()
                  << "unreadable: " << row["error"].get<std::string>() << "\n";
        continue;
      }
      std::string verified = row["verified"].is_null()     ? "never"
                             : row["verified"].get<bool>() ? "ok"
                                                           : "FAILED";
      std::cout << std::setw(18) << row["id"].get<std::string>() << std::setw(22)
                << row["createdAt"].get<std::string>() << std::setw(11)
                << base::humanBytes(row["size"].get<std::uint64_t>()) << std::setw(11)
                << base::humanBytes(row["newSize"].get<std::uint64_t>()) << std::setw(7)
                << row["parts"].get<std::size_t>() << std::setw(9) << row["consistency"].get<std::string>()
                << std::setw(10) << (row["encrypted"].get<bool>() ? "age" : "no") << verified << "\n";
    }
    return exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addListCommand(CLI::App& app) {
  auto command = std::make_unique<ListCommand>();
  auto* cli = app.add_subcommand("list", "List the project's complete backups, newest first");
  cli->add_flag("--json", command->json, "Print a JSON array, one object per backup");
  return {cli, std::move(command)};
}

}  // namespace agentchat
