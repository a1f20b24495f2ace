#include "plugin/migrate/migrate_command.hpp"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/human_units.hpp"
#include "plugin/cli/confirmation.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/migrate/migrate_checks.hpp"
#include "plugin/migrate/migrate_runner.hpp"
#include "plugin/repository/repository_location.hpp"

namespace agentchat {

namespace fs = std::filesystem;

namespace {

class MigrateCommand : public Command {
 public:
  std::string toHost, toContext, targetDir, consistency = "stop";
  bool yes = false, json = false;

  int run(Session& session) override {
    if (toHost.empty() == toContext.empty())
      throw std::invalid_argument("migrate needs exactly one of --to-host ENDPOINT and --to-context NAME");
    if (consistency != "stop" && consistency != "online")
      throw std::invalid_argument("--consistency must be stop or online, not '" + consistency + "'");
    compose::Stack stack = loadStack(session);
    if (!stack.engineView)
      throw ProjectNotFound("project " + stack.name + " has no containers on the source engine");
    GlobalOptions options = session.options();
    options.connection = {};
    if (!toHost.empty()) options.connection.host = toHost;
    if (!toContext.empty()) options.connection.context = toContext;
    options.connection.configDir = session.options().connection.configDir;
    Session target(options, session.environ());
    std::string targetName = target.endpoint().endpoint.display();

    auto& engine = session.engine();
    fs::path dir = fs::absolute(targetDir).lexically_normal();
    auto checks = checkMigration(engine, stack, target.engine(), targetName, dir, session.environ());
    std::ostream& out = json ? std::cerr : std::cout;
    out << "migration of " << stack.name << " from " << engine.endpointName() << " to " << targetName << "\n";
    for (const auto& l : checks.lines)
      out << "  " << std::left << std::setw(5) << checkStatusName(l.status) << std::setw(18) << l.check
          << l.detail << "\n";
    if (checks.failed()) {
      std::cerr
          << "docker agentchat: a pre-check failed (FAIL above); nothing was changed on either engine\n";
      return exit_code::kFailed;
    }
    out << (consistency == "stop"
                ? "the source stack is stopped during the copy ("
                : "the source keeps running; its apps pause about a second for the database "
                  "snapshots (")
        << base::humanBytes(checks.bytesToMove) << " of volumes); files go to " << dir.string() << "\n";
    if (!confirmOnce(yes, "migrate copies " + stack.name + " to " + targetName +
                              (consistency == "stop" ? ", stopping it meanwhile" : "")))
      return exit_code::kUsage;

    MigrateSettings settings;
    settings.targetName = targetName;
    settings.targetDir = dir;
    settings.online = consistency == "online";
    std::string repository = repositoryLocation(session, stack);
    if (!isS3Location(repository)) settings.repositoryRoot = repository;
    settings.terminal = ::isatty(STDERR_FILENO) == 1;
    audit["repository"] = repository;
    audit["project"] = stack.name;
    audit["target"] = targetName;
    audit["consistency"] = consistency;
    auto report = runMigration(engine, stack, target.engine(), checks, settings);
    audit["volumes"] = report.volumes;
    audit["bytes"] = report.bytes;
    audit["identical"] = report.identical();

    double rate = report.seconds > 0 ? static_cast<double>(report.bytes) / report.seconds : 0;
    nlohmann::json compared = nlohmann::json::array();
    for (const auto& c : report.comparisons)
      compared.push_back(nlohmann::json{
          {"service", c.service}, {"subject", c.subject}, {"source", c.source}, {"target", c.target}});
    if (json) {
      nlohmann::json result = {{"project", stack.name},
                               {"target", targetName},
                               {"targetDir", dir.string()},
                               {"bytes", report.bytes},
                               {"seconds", report.seconds}};
      result["volumes"] = report.volumes;
      result["identical"] = report.identical();
      result["comparison"] = compared;
      std::cout << result.dump(2) << "\n";
    } else {
      out << "moved " << report.volumes.size() << " volumes, " << base::humanBytes(report.bytes) << " in "
          << std::fixed << std::setprecision(1) << report.seconds << " s ("
          << base::humanBytes(static_cast<std::uint64_t>(rate)) << "/s)\n";
      out << "  " << std::left << std::setw(8) << "service" << std::setw(34) << "table / db" << std::setw(12)
          << "source" << std::setw(12) << "target"
          << "\n";
      for (const auto& c : report.comparisons)
        out << "  " << std::setw(8) << c.service << std::setw(34) << c.subject << std::setw(12) << c.source
            << std::setw(12) << c.target << (c.same() ? "" : "DIFFERENT") << "\n";
      if (report.identical())
        out << "on the target host, in " << dir.string() << ": docker compose -p " << stack.name
            << " up -d\n";
    }
    if (!report.identical()) {
      std::cerr << "docker agentchat: the target's data differs from the source's (see above)\n";
      return exit_code::kFailed;
    }
    return exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addMigrateCommand(CLI::App& app) {
  auto command = std::make_unique<MigrateCommand>();
  auto* cli = app.add_subcommand(
      "migrate",
      "Move the stack to another Docker engine: checks, volumes streamed engine to engine, "
      "project files to a directory, data compared");
  cli->add_option("--to-host", command->toHost, "Target engine endpoint (unix:///..., tcp://host:2376)");
  cli->add_option("--to-context", command->toContext, "Target docker context");
  cli->add_option("--target-dir", command->targetDir,
                  "Where the compose files, .env and bind-mounted files are written (new or empty)")
      ->required();
  cli->add_option("--consistency", command->consistency,
                  "stop (default): the source is stopped during the copy");
  cli->add_flag("-y,--yes", command->yes, "Do not ask for confirmation (required without a terminal)");
  cli->add_flag("--json", command->json, "Print the result as JSON (checks and table go to stderr)");
  return {cli, std::move(command)};
}

}  // namespace agentchat
