#include "plugin/cli/inspect_command.hpp"

#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dockerapi/errors.hpp"
#include "plugin/cli/exit_codes.hpp"
#include "plugin/cli/stack_loader.hpp"
#include "plugin/databases/database_login.hpp"

namespace agentchat {

namespace {

using compose::Role;

// Which role's service owns a volume (its data is covered by that service's dump/snapshot).
const compose::StackService* owner(const compose::Stack& stack, const compose::StackVolume& volume) {
  for (const auto& [service, target] : volume.mountedBy) {
    const auto& s = stack.services.at(service);
    if (s.role == Role::Mysql || s.role == Role::Redis || s.role == Role::Postgres) return &s;
  }
  return nullptr;
}

std::string serviceBackup(const compose::StackService& s) {
  if (s.settings.skip) return "skipped (x-agentchat skip)";
  std::string text;
  switch (s.role) {
    case Role::Mysql:
      text = "logical dump (mysqldump / mariadb-dump inside the container)";
      break;
    case Role::Redis:
      text = "RDB snapshot via BGSAVE (and appendonlydir/ when AOF is on)";
      break;
    case Role::Postgres:
      text = "not supported yet: its volumes are copied raw in --consistency stop";
      break;
    case Role::App:
      text = "paused for about a second during online backups";
      break;
    case Role::None:
      text = "left alone";
      break;
  }
  std::string source = loginSource(s);
  if (!source.empty()) text += "; login from " + source;
  if (!s.settings.logs.empty()) {
    text += "; logs:";
    for (const auto& path : s.settings.logs) text += " " + path;
  }
  return text;
}

std::string volumeBackup(const compose::Stack& stack, const compose::StackVolume& v) {
  if (const auto* s = owner(stack, v)) {
    return std::string("covered by ") + s->name + "'s " + (s->role == Role::Redis ? "snapshot" : "dump") +
           " (online); copied raw with --consistency stop";
  }
  if (v.mountedBy.empty()) return "archived (not mounted by any service)";
  return "archived as tar.zst";
}

std::string stateOf(const compose::StackService& s) {
  if (s.containers.empty()) return "no container";
  std::string state = s.containers.front().state;
  if (s.containers.front().health && state == "running") state += " (" + *s.containers.front().health + ")";
  if (s.containers.size() > 1) state += " x" + std::to_string(s.containers.size());
  return state;
}

nlohmann::ordered_json toJson(const compose::Stack& stack, const std::string& endpoint) {
  nlohmann::ordered_json services = nlohmann::ordered_json::array();
  for (const auto& name : compose::startOrder(stack)) {
    const auto& s = stack.services.at(name);
    nlohmann::ordered_json containers = nlohmann::ordered_json::array();
    for (const auto& c : s.containers) {
      containers.push_back(
          {{"id", c.id}, {"name", c.name}, {"state", c.state}, {"health", c.health ? *c.health : ""}});
    }
    nlohmann::ordered_json volumes = nlohmann::ordered_json::array();
    for (const auto& v : s.volumes) {
      volumes.push_back(
          {{"volume", v.volumeKey}, {"name", v.volumeName}, {"target", v.target}, {"readOnly", v.readOnly}});
    }
    nlohmann::ordered_json binds = nlohmann::ordered_json::array();
    for (const auto& b : s.binds)
      binds.push_back({{"hostPath", b.hostPath}, {"target", b.target}, {"readOnly", b.readOnly}});
    std::string source = loginSource(s);
    services.push_back(
        {{"name", s.name},
         {"role", compose::roleName(s.role)},
         {"image", s.image},
         {"imageId", s.imageId},
         {"state", s.containers.empty() ? "absent" : s.containers.front().state},
         {"health", !s.containers.empty() && s.containers.front().health ? *s.containers.front().health : ""},
         {"containers", containers},
         {"dependsOn", s.dependsOn},
         {"volumes", volumes},
         {"binds", binds},
         {"credentials",
          source.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json{{"source", source}}},
         {"logs", s.settings.logs},
         {"backup", serviceBackup(s)}});
  }
  nlohmann::ordered_json volumes = nlohmann::ordered_json::array();
  for (const auto& [key, v] : stack.volumes) {
    nlohmann::ordered_json mounted = nlohmann::ordered_json::array();
    for (const auto& [service, target] : v.mountedBy)
      mounted.push_back({{"service", service}, {"target", target}});
    volumes.push_back({{"key", key},
                       {"name", v.name},
                       {"driver", v.driver},
                       {"external", v.external},
                       {"exists", v.exists},
                       {"labels", v.labels},
                       {"mountedBy", mounted},
                       {"backup", volumeBackup(stack, v)}});
  }
  return {{"project", stack.name}, {"workingDir", stack.workingDir}, {"files", stack.files},
          {"endpoint", endpoint},  {"engineView", stack.engineView}, {"services", services},
          {"volumes", volumes}};
}

class InspectCommand : public Command {
 public:
  bool json = false;

  int run(Session& session) override {
    compose::Stack stack = loadStack(session);
    std::string endpoint = session.engine().endpointName();
    if (json) {
      std::cout << toJson(stack, endpoint).dump(2) << "\n";
      return exit_code::kOk;
    }
    std::cout << "Project " << stack.name << " (" << stack.workingDir << ")\n  files:";
    for (const auto& f : stack.files) std::cout << " " << f;
    std::cout << "\n";
    if (!stack.engineView) {
      std::cout << "  No container of this project exists on " << endpoint
                << ": this is the compose files' view only (start it with `docker compose up -d`).\n";
    }
    std::cout << "\n"
              << std::left << std::setw(14) << "SERVICE" << std::setw(9) << "ROLE" << std::setw(20) << "STATE"
              << "BACKUP\n";
    for (const auto& name : compose::startOrder(stack)) {
      const auto& s = stack.services.at(name);
      std::cout << std::setw(14) << name << std::setw(9) << compose::roleName(s.role) << std::setw(20)
                << stateOf(s) << serviceBackup(s) << "\n";
    }
    std::cout << "\n"
              << std::setw(14) << "VOLUME" << std::setw(40) << "NAME" << std::setw(26) << "MOUNTED BY"
              << "BACKUP\n";
    for (const auto& [key, v] : stack.volumes) {
      std::string mounted;
      for (const auto& [service, target] : v.mountedBy)
        mounted += (mounted.empty() ? "" : ",") + service + ":" + target;
      std::cout << std::setw(14) << key << std::setw(40) << (v.name + (v.exists ? "" : " (absent)"))
                << std::setw(26) << (mounted.empty() ? "-" : mounted) << volumeBackup(stack, v) << "\n";
    }
    bool anyBind = false;
    for (const auto& name : compose::startOrder(stack)) {
      for (const auto& b : stack.services.at(name).binds) {
        if (!anyBind) std::cout << "\nBIND MOUNTS (copied as config)\n";
        anyBind = true;
        std::cout << "  " << std::setw(12) << name << b.hostPath << " -> " << b.target
                  << (b.readOnly ? " (ro)" : "") << "\n";
      }
    }
    if (!stack.secrets.empty()) {
      std::cout << "\nSECRETS\n";
      for (const auto& [key, secret] : stack.secrets) {
        std::cout << "  " << std::setw(12) << key
                  << (!secret.file.empty()          ? "file " + secret.file + " (copied as config)"
                      : !secret.environment.empty() ? "from the environment variable " + secret.environment
                                                    : std::string("external (not backed up)"))
                  << "\n";
      }
    }
    return exit_code::kOk;
  }
};

}  // namespace

RegisteredCommand addInspectCommand(CLI::App& app) {
  auto command = std::make_unique<InspectCommand>();
  auto* cli = app.add_subcommand("inspect",
                                 "Show the stack as the plugin sees it: services, roles, volumes, and how "
                                 "each would be backed up");
  cli->add_flag("--json", command->json, "Print JSON");
  return {cli, std::move(command)};
}

}  // namespace agentchat
