#include "plugin/restore/restore_plan.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "plugin/backup/backup_plan.hpp"

namespace agentchat {

using volumes::PartKind;

namespace {

// The order of the README's restore steps: databases first, then files.
int stepOf(PartKind kind) {
  switch (kind) {
    case PartKind::MysqlDump:
    case PartKind::PostgresGlobals:  // before its databases: stable sort, and the backup lists it first
    case PartKind::PostgresDump:
      return 0;
    case PartKind::RedisRdb:
    case PartKind::RedisAof:
      return 1;
    case PartKind::Volume:
    case PartKind::Sqlite:  // after its volume: stable sort, and the backup lists it after it
      return 2;
    case PartKind::Config:
      return 3;
    case PartKind::Logs:
      return 4;
    case PartKind::Objects:
      return 5;
  }
  return 4;
}

bool selected(const RestoreSelection& selection, const std::string& component) {
  return selection.empty() || selection.components.count(component) > 0;
}

// A volume restored with its sqlite part leaves out the stale companions of the databases that part
// replaces (the manifest's details["sqlite"][volume part] name them).
void attachSqliteFiles(const volumes::Manifest& manifest, RestorePlan& plan) {
  const auto sqlite = manifest.details.value("sqlite", nlohmann::json::object());
  for (auto& item : plan.items) {
    if (item.kind != PartKind::Volume) continue;
    bool overlaid = std::any_of(plan.items.begin(), plan.items.end(), [&](const RestoreItem& i) {
      return i.kind == PartKind::Sqlite && i.volumeKey == item.volumeKey;
    });
    auto files = sqlite.find(item.part.contentName());
    if (!overlaid || files == sqlite.end() || !files->is_array()) continue;
    for (const auto& file : *files) {
      if (file.is_object() && file.contains("path") && file["path"].is_string())
        item.sqliteFiles.push_back(file["path"].get<std::string>());
    }
  }
}

}  // namespace

bool RestorePlan::has(PartKind kind) const {
  return std::any_of(items.begin(), items.end(), [&](const RestoreItem& i) { return i.kind == kind; });
}

namespace {

std::string keyBetween(const std::string& partName, const std::string& prefix) {
  const std::string suffix = ".tar.zst";
  if (partName.size() <= prefix.size() + suffix.size() || partName.rfind(prefix, 0) != 0 ||
      !partName.ends_with(suffix))
    return {};
  return partName.substr(prefix.size(), partName.size() - prefix.size() - suffix.size());
}

}  // namespace

std::string volumeKeyOf(const std::string& partName) {
  return keyBetween(partName, "volume-");
}
std::string sqliteVolumeKeyOf(const std::string& partName) {
  return keyBetween(partName, "sqlite-");
}
std::string objectsNameOf(const std::string& partName) {
  return keyBetween(partName, "objects-");
}

RestoreSelection parseRestoreSelection(const std::string& list) {
  RestoreSelection out;
  std::stringstream in(list);
  std::string word;
  while (std::getline(in, word, ',')) {
    if (word.empty()) continue;
    if (word.rfind("volume:", 0) == 0 && word.size() > 7) {
      out.volumes.insert(word.substr(7));
    } else if (word.rfind("objects:", 0) == 0 && word.size() > 8) {
      out.objects.insert(word.substr(8));
    } else if (componentNamed(word)) {
      out.components.insert(word);
    } else {
      throw std::invalid_argument(
          "unknown part '" + word +
          "' (use mysql, redis, postgres, volumes, config, logs, objects, volume:NAME or objects:NAME)");
    }
  }
  return out;
}

RestorePlan planRestore(const volumes::Manifest& manifest, const compose::Stack& target,
                        const RestoreSelection& selection) {
  RestorePlan plan;
  plan.sourceProject = manifest.project;
  plan.targetProject = target.name;
  bool sameProject = manifest.project == target.name;
  std::set<std::string> restoredVolumes;

  auto requireService = [&](const volumes::PartRecord& part) -> const compose::StackService& {
    auto it = target.services.find(part.service);
    if (it == target.services.end()) {
      throw std::invalid_argument("part " + part.name + " belongs to service " + part.service + ", which " +
                                  target.name + " does not have: leave it out with --only");
    }
    return it->second;
  };

  for (const auto& part : manifest.parts) {
    if (!part.knownKind()) {
      // Skipping it would report a complete restore that left this part out.
      if (selection.empty()) {
        throw std::invalid_argument("backup " + manifest.id + ": part " + part.name + " is of kind \"" +
                                    part.kind +
                                    "\", which this version of docker-agentchat cannot restore (a newer "
                                    "version wrote it?): upgrade, or restore the other parts with --only");
      }
      plan.notes.push_back(part.name + ": of kind \"" + part.kind +
                           "\", unknown to this version: not restored");
      continue;
    }
    PartKind kind = *part.knownKind();
    RestoreItem item{part, kind, part.service, {}, {}, {}, {}};
    if (kind == PartKind::MysqlDump && selected(selection, "mysql")) {
      requireService(part);
    } else if (kind == PartKind::RedisRdb && selected(selection, "redis")) {
      requireService(part);
    } else if ((kind == PartKind::PostgresGlobals || kind == PartKind::PostgresDump) &&
               selected(selection, "postgres")) {
      requireService(part);
    } else if (kind == PartKind::RedisAof) {
      if (selected(selection, "redis"))
        plan.notes.push_back(part.name + ": not copied back; the append-only file is rebuilt from " +
                             part.service + "'s RDB, the point in time the dump of the other services holds");
      continue;
    } else if (kind == PartKind::Volume || kind == PartKind::Sqlite) {
      // A sqlite part goes with its volume: chosen with it, laid over it.
      std::string key =
          kind == PartKind::Volume ? volumeKeyOf(part.contentName()) : sqliteVolumeKeyOf(part.contentName());
      bool wanted = selected(selection, "volumes") || selection.volumes.count(key) ||
                    selection.volumes.count(part.source);
      if (!wanted) continue;
      auto it = target.volumes.find(key);
      if (it == target.volumes.end()) {
        throw std::invalid_argument("part " + part.name + " holds volume " + key + ", which " + target.name +
                                    " does not declare: leave it out with --only");
      }
      item.volumeKey = key;
      item.volume = it->second.name;
      item.service = it->second.mountedBy.empty() ? "" : it->second.mountedBy.front().first;
      if (kind == PartKind::Volume && !it->second.exists) plan.missingVolumes.push_back(it->second.name);
      restoredVolumes.insert(key);
    } else if (kind == PartKind::Config && selected(selection, "config")) {
      if (!sameProject) {
        plan.notes.push_back("config.tar.zst: not restored into " + target.name +
                             ": its files and bind mounts are the host paths " + manifest.project +
                             " uses (restore them with --only config on that project)");
        continue;
      }
    } else if (kind == PartKind::Logs && selected(selection, "logs")) {
      requireService(part);
      item.path = part.source;
    } else if (kind == PartKind::Objects) {
      std::string name = objectsNameOf(part.contentName());
      if (!selected(selection, "objects") && !selection.objects.count(name)) continue;
      auto& sources = target.settings.objects;
      auto it = std::find_if(sources.begin(), sources.end(), [&](const auto& s) { return s.name == name; });
      if (it == sources.end())
        throw std::invalid_argument("part " + part.name + " holds the objects of " + part.source + ", but " +
                                    target.name + "'s x-agentchat objects has no entry " + name +
                                    " to say how to reach it: add it, or leave it out with --only");
      if (it->url != part.source)
        plan.notes.push_back(part.name + ": restored into " + it->url + " (x-agentchat objects." + name +
                             "), not " + part.source + " where it was taken: rows that name " + part.source +
                             " still point there");
      item.path = name;
    } else {
      continue;
    }
    plan.items.push_back(std::move(item));
  }
  attachSqliteFiles(manifest, plan);
  for (const auto& key : selection.volumes) {
    bool found = std::any_of(plan.items.begin(), plan.items.end(), [&](const RestoreItem& i) {
      return i.volumeKey == key || i.part.source == key;
    });
    if (!found) throw std::invalid_argument("backup " + manifest.id + " has no part for volume " + key);
  }
  for (const auto& name : selection.objects) {
    bool found = std::any_of(plan.items.begin(), plan.items.end(), [&](const RestoreItem& i) {
      return i.kind == PartKind::Objects && i.path == name;
    });
    if (!found) throw std::invalid_argument("backup " + manifest.id + " has no objects part " + name);
  }
  if (plan.items.empty()) {
    throw std::invalid_argument("backup " + manifest.id + " has nothing to restore" +
                                (selection.empty() ? "" : " for that --only"));
  }
  std::stable_sort(plan.items.begin(), plan.items.end(), [](const RestoreItem& a, const RestoreItem& b) {
    return stepOf(a.kind) < stepOf(b.kind);
  });

  // Stopped first, dependents before what they depend on: the apps (they write), and any
  // container that mounts a volume about to be replaced (a database restored from a raw copy).
  std::set<std::string> mounting;  // services that mount a restored volume
  for (const auto& key : restoredVolumes) {
    for (const auto& use : target.volumes.at(key).mountedBy) mounting.insert(use.first);
  }
  auto order = compose::startOrder(target);
  std::reverse(order.begin(), order.end());
  for (const auto& name : order) {
    const auto& service = target.services.at(name);
    if (service.role != compose::Role::App && !mounting.count(name)) continue;
    for (const auto& c : service.containers) {
      if (c.state == "running" || c.state == "paused" || c.state == "restarting") plan.stop.push_back(c);
    }
  }
  return plan;
}

}  // namespace agentchat
