#include "plugin/compat_command.hpp"

#include <iomanip>
#include <iostream>

#include "plugin/compat.hpp"
#include "plugin/database_login.hpp"
#include "plugin/exit_codes.hpp"
#include "plugin/redis_client.hpp"
#include "plugin/repository_location.hpp"
#include "plugin/stack_loader.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

namespace {

// "REDIS0010..." -> 10, from the first bytes of the stored part.
int rdbVersion(const std::filesystem::path& file, const volumes::PartRecord& record) {
  volumes::PartReader reader(file, record);
  char head[9];
  std::size_t got = 0;
  while (got < sizeof head) {
    std::size_t n = reader.read(head + got, sizeof head - got);
    if (n == 0) break;
    got += n;
  }
  std::string text(head, got);
  if (got < 9 || text.rfind("REDIS", 0) != 0) throw std::runtime_error(record.name + ": not an RDB file");
  return std::stoi(text.substr(5, 4));
}

class CompatCommand : public Command {
 public:
  std::string which = "latest";
  bool json = false;

  int run(Session& session) override {
    compose::Stack stack = loadStack(session);
    volumes::Repository repository(repositoryPath(session, stack));
    std::string id = resolveBackupId(repository, stack.name, which);
    auto manifest = repository.read(stack.name, id);
    auto& engine = session.engine();

    std::vector<Finding> findings;
    // Named, not temporaries: items() refers to the object it iterates.
    const auto mysqlDetails = manifest.details.value("mysql", nlohmann::json::object());
    const auto redisDetails = manifest.details.value("redis", nlohmann::json::object());
    for (const auto& [service, detail] : mysqlDetails.items()) {
      auto it = stack.services.find(service);
      std::string container = it == stack.services.end() ? "" : runningContainer(it->second);
      if (container.empty()) {
        findings.push_back({Risk::Medium, service, "not running", "cannot compare: start it first"});
        continue;
      }
      auto login = databaseLogin(engine, it->second);
      if (!login)
        throw std::runtime_error("service " + service + ": no MySQL login in the container's environment");
      MysqlClient client(engine, container, service, *login);
      auto live = surveyMysql(client, detail.value("databases", std::vector<std::string>{}));
      for (auto& f : compareMysql(detail, live)) findings.push_back(std::move(f));
    }
    for (const auto& [service, detail] : redisDetails.items()) {
      auto it = stack.services.find(service);
      std::string container = it == stack.services.end() ? "" : runningContainer(it->second);
      const auto* part = manifest.part(detail.value("part", ""));
      if (container.empty() || part == nullptr) {
        findings.push_back({Risk::Medium, service, "not running", "cannot compare: start it first"});
        continue;
      }
      RedisClient client(engine, container, service, databaseLogin(engine, it->second));
      int version = rdbVersion(repository.backupDir(stack.name, id) / part->name, *part);
      for (auto& f :
           compareRedis(version, detail.value("version", ""), client.info("server")["redis_version"]))
        findings.push_back(std::move(f));
    }

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
  return {cli, std::move(command)};
}

}  // namespace agentchat
