#include "plugin/backup/backup_plan.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <stdexcept>

namespace agentchat {

using volumes::PartKind;

namespace {
constexpr std::pair<Component, const char*> kComponents[] = {
    {Component::Mysql, "mysql"},     {Component::Redis, "redis"},   {Component::Postgres, "postgres"},
    {Component::Volumes, "volumes"}, {Component::Config, "config"}, {Component::Logs, "logs"},
    {Component::Objects, "objects"}};

// "/app/logs" -> "app-logs": a path as part of a file name.
std::string pathSlug(const std::string& path) {
  std::string out;
  for (char c : path) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    if (plain) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  return out.empty() ? "root" : out;
}

}  // namespace

std::optional<Component> componentNamed(const std::string& name) {
  for (auto [component, known] : kComponents) {
    if (name == known) return component;
  }
  return std::nullopt;
}

std::set<Component> parseComponents(const std::string& list) {
  std::set<Component> out;
  std::stringstream in(list);
  std::string word;
  while (std::getline(in, word, ',')) {
    if (word.empty()) continue;
    auto component = componentNamed(word);
    if (!component)
      throw std::invalid_argument("unknown part '" + word +
                                  "' (use mysql, redis, postgres, volumes, config, logs, objects)");
    out.insert(*component);
  }
  return out;
}

BackupPlan planBackup(const compose::Stack& stack, const BackupOptions& options) {
  BackupPlan plan;
  plan.consistency = options.consistency;
  bool online = options.consistency == Consistency::Online;
  for (const auto& name : stack.oneOffs) {
    plan.notes.push_back("container " + name +
                         " (docker compose run) is running: it is not part of any service, so it is neither "
                         "paused nor stopped, and what it writes to a volume meanwhile may be missing");
  }

  for (const auto& [name, service] : stack.services) {
    if (service.settings.skip) {
      plan.notes.push_back("service " + name + ": skipped (x-agentchat skip: true)");
      continue;
    }
    if (online && service.role == compose::Role::Mysql && options.wants(Component::Mysql)) {
      plan.parts.push_back({name + ".sql.zst", PartKind::MysqlDump, name, "", {}});
    }
    if (online && service.role == compose::Role::Redis && options.wants(Component::Redis)) {
      plan.parts.push_back({name + ".rdb.zst", PartKind::RedisRdb, name, "", {}});
    }
    if (online && service.role == compose::Role::Postgres && options.wants(Component::Postgres)) {
      // Its roles and grants; the databases' dumps join the plan once the server has named them.
      plan.parts.push_back({name + ".globals.pgsql.zst", PartKind::PostgresGlobals, name, "", {}});
      plan.notes.push_back("service " + name + ": one pg_dump part per database, " + name +
                           ".DATABASE.pgdump.zst, each in a snapshot taken while the writers are paused");
    }
    if (options.wants(Component::Logs)) {
      for (const auto& path : service.settings.logs) {
        plan.parts.push_back(
            {"logs-" + name + "-" + pathSlug(path) + ".tar.zst", PartKind::Logs, name, path, {path}});
      }
    }
  }

  if (options.wants(Component::Volumes)) {
    for (const auto& [key, volume] : stack.volumes) {
      if (!volume.exists) {
        plan.notes.push_back("volume " + volume.name + ": does not exist on the engine (never created?)");
        continue;
      }
      // Online, a database's own volume is covered by its dump; a raw copy of live files is not.
      std::string owner;
      bool onlyDatabases = !volume.mountedBy.empty();
      for (const auto& [serviceName, target] : volume.mountedBy) {
        auto it = stack.services.find(serviceName);
        bool database = it != stack.services.end() && isDatabase(it->second.role);
        if (database) owner = serviceName;
        onlyDatabases = onlyDatabases && database;
      }
      if (online && onlyDatabases) {
        plan.notes.push_back("volume " + volume.name + ": covered by the dump of service " + owner);
        continue;
      }
      std::string service = volume.mountedBy.empty() ? "" : volume.mountedBy.front().first;
      plan.parts.push_back({"volume-" + key + ".tar.zst", PartKind::Volume, service, volume.name, {}});
    }
  }
  if (options.wants(Component::Config))
    plan.parts.push_back({"config.tar.zst", PartKind::Config, "", stack.workingDir, {}});
  // The buckets go after the databases' snapshot, like the volumes: listed right after it.
  if (options.wants(Component::Objects)) {
    for (const auto& source : stack.settings.objects)
      plan.parts.push_back(
          {"objects-" + source.name + ".tar.zst", PartKind::Objects, "", source.url, {source.name}});
  }

  // Who is held: online, the running app containers (they write to the databases); stop, every
  // running container, dependents first, so nothing writes to a service that is already down.
  auto order = compose::startOrder(stack);
  if (online) {
    for (const auto& name : order) {
      const auto& service = stack.services.at(name);
      if (service.role != compose::Role::App || service.settings.skip) continue;
      for (const auto& c : service.containers) {
        if (c.state == "running") plan.hold.push_back(c);
      }
    }
  } else {
    std::reverse(order.begin(), order.end());
    for (const auto& name : order) {
      for (const auto& c : stack.services.at(name).containers) {
        if (c.state == "running" || c.state == "paused") plan.hold.push_back(c);
      }
    }
  }
  return plan;
}

}  // namespace agentchat
