#include "compose/checks.hpp"

#include <algorithm>
#include <functional>
#include <optional>

#include "compose/error.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace {

struct Origin {
  std::string file;
  int line = 0;
};

using Pick = std::function<std::optional<YAML::Node>(const YAML::Node& root)>;

std::optional<YAML::Node> child(const std::optional<YAML::Node>& node, const std::string& key) {
  if (!node || !node->IsMap()) return std::nullopt;
  for (const auto& item : *node) {
    if (item.first.IsScalar() && item.first.Scalar() == key) return item.second;
  }
  return std::nullopt;
}

// The key node itself (its line is where the entry starts).
std::optional<YAML::Node> keyNode(const std::optional<YAML::Node>& node, const std::string& key) {
  if (!node || !node->IsMap()) return std::nullopt;
  for (const auto& item : *node) {
    if (item.first.IsScalar() && item.first.Scalar() == key) return item.first;
  }
  return std::nullopt;
}

// The last file in which `pick` finds something: later files are the ones that override.
Origin locate(const std::vector<SourceFile>& sources, const Pick& pick) {
  for (auto it = sources.rbegin(); it != sources.rend(); ++it) {
    if (auto node = pick(it->root)) return {it->name, lineOf(*node)};
  }
  return {sources.empty() ? std::string{} : sources.front().name, 0};
}

[[noreturn]] void fail(const Origin& origin, const std::string& path, const std::string& message) {
  throw Error(origin.file, origin.line, path, message);
}

std::optional<YAML::Node> service(const YAML::Node& root, const std::string& name) {
  return child(child(root, "services"), name);
}

// A service's volume entry (short or long form) that uses the named volume `key`.
Pick volumeEntry(const std::string& serviceName, const std::string& key) {
  return [=](const YAML::Node& root) -> std::optional<YAML::Node> {
    auto volumes = child(service(root, serviceName), "volumes");
    if (!volumes || !volumes->IsSequence()) return std::nullopt;
    for (const auto& entry : *volumes) {
      std::string source;
      if (entry.IsScalar()) source = entry.Scalar().substr(0, entry.Scalar().find(':'));
      if (auto s = child(entry, "source"); s && s->IsScalar()) source = s->Scalar();
      if (source == key) return entry;
    }
    return std::nullopt;
  };
}

}  // namespace

void applyShorthands(Project& project, const std::vector<SourceFile>& sources) {
  auto shorthand = [&](const char* kind, const std::string& name) {
    return locate(sources, [&](const YAML::Node& root) {
      return keyNode(child(child(root, "x-agentchat"), kind), name);
    });
  };
  for (const auto& [name, role] : project.agentchat.roles) {
    auto it = project.services.find(name);
    if (it == project.services.end())
      fail(shorthand("roles", name), "x-agentchat.roles." + name, "no such service");
    if (!it->second.agentchat.role) it->second.agentchat.role = role;
  }
  for (const auto& [name, paths] : project.agentchat.logs) {
    auto it = project.services.find(name);
    if (it == project.services.end())
      fail(shorthand("logs", name), "x-agentchat.logs." + name, "no such service");
    for (const auto& path : paths) {
      auto& logs = it->second.agentchat.logs;
      if (std::find(logs.begin(), logs.end(), path) == logs.end()) logs.push_back(path);
    }
  }
}

void checkReferences(const Project& project, const std::vector<SourceFile>& sources) {
  for (const auto& [name, svc] : project.services) {
    const std::string base = "services." + name;
    if (svc.image.empty() && !svc.hasBuild) {
      Origin origin =
          locate(sources, [&](const YAML::Node& root) { return keyNode(child(root, "services"), name); });
      fail(origin, base, "has neither an image nor a build context");
    }
    for (const auto& mount : svc.mounts) {
      if (mount.type == Mount::Type::Volume && !mount.source.empty() &&
          !project.volumes.count(mount.source)) {
        fail(locate(sources, volumeEntry(name, mount.source)), base + ".volumes",
             "refers to undefined volume " + mount.source + "; declare it under the top-level volumes:");
      }
    }
    for (const auto& use : svc.secrets) {
      if (!project.secrets.count(use.source)) {
        Origin origin =
            locate(sources, [&](const YAML::Node& root) { return child(service(root, name), "secrets"); });
        fail(origin, base + ".secrets",
             "refers to undefined secret " + use.source + "; declare it under the top-level secrets:");
      }
    }
    for (const auto& dependency : svc.dependsOn) {
      if (!project.services.count(dependency)) {
        Origin origin =
            locate(sources, [&](const YAML::Node& root) { return child(service(root, name), "depends_on"); });
        fail(origin, base + ".depends_on", "depends on undefined service " + dependency);
      }
    }
  }
}

}  // namespace compose
