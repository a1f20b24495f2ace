#include "compose/stack.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "compose/hook_labels.hpp"

namespace compose {

bool StackService::running() const {
  for (const auto& c : containers) {
    if (c.state == "running") return true;
  }
  return false;
}

namespace {

std::map<std::string, std::string> envMap(const std::vector<std::string>& env) {
  std::map<std::string, std::string> out;
  for (const auto& entry : env) {
    auto eq = entry.find('=');
    if (eq != std::string::npos) out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

bool hasContainers(const EngineView& view, const std::string& service) {
  for (const auto& c : view.containers) {
    auto it = c.labels.find(kServiceLabel);
    if (it != c.labels.end() && it->second == service) return true;
  }
  return false;
}

int replicaNumber(const dockerapi::ContainerInfo& c) {
  auto it = c.labels.find(kNumberLabel);
  try {
    return it == c.labels.end() ? 0 : std::stoi(it->second);
  } catch (const std::exception&) {
    return 0;
  }
}

bool oneOff(const dockerapi::ContainerInfo& c) {
  auto it = c.labels.find(kOneOffLabel);
  return it != c.labels.end() && (it->second == "True" || it->second == "true");
}

}  // namespace

Stack buildStack(const Project& project, const EngineView& all) {
  EngineView view{{}, all.volumes};
  std::vector<std::string> oneOffs;
  for (const auto& c : all.containers) {
    if (!oneOff(c)) {
      view.containers.push_back(c);
    } else if (c.running) {
      oneOffs.push_back(c.name);
    }
  }
  std::stable_sort(view.containers.begin(), view.containers.end(),
                   [](const auto& a, const auto& b) { return replicaNumber(a) < replicaNumber(b); });
  Stack stack;
  stack.oneOffs = std::move(oneOffs);
  stack.name = project.name;
  stack.workingDir = project.workingDir.string();
  for (const auto& f : project.files) stack.files.push_back(f.string());
  stack.settings = project.agentchat;
  stack.secrets = project.secrets;
  stack.engineView = !all.containers.empty();

  for (const auto& [key, volume] : project.volumes) {
    StackVolume v{key, volume.name, volume.driver, volume.external, false, volume.labels, {}};
    for (const auto& info : view.volumes) {
      if (info.name == volume.name) {
        v.exists = true;
        v.driver = info.driver;
        v.labels = info.labels;
      }
    }
    stack.volumes.emplace(key, v);
  }

  for (const auto& [name, service] : project.services) {
    // A service whose profiles are all inactive is not part of the stack, unless it has containers:
    // started earlier with --profile, it holds data a backup must not leave out.
    if (!service.enabled && !hasContainers(view, name)) continue;
    StackService s;
    s.name = name;
    s.image = service.image;
    s.dependsOn = service.dependsOn;
    s.settings = service.agentchat;
    for (const auto& [key, value] : service.environment) s.env.push_back(key + "=" + value);
    s.command = service.command;
    // The agentchat.role label: the running container's, else the one the compose file sets
    // (the same label, before any container exists).
    std::optional<std::string> labelRole;
    if (auto it = service.labels.find(kRoleLabel); it != service.labels.end()) labelRole = it->second;
    for (const auto& c : view.containers) {
      auto it = c.labels.find(kServiceLabel);
      if (it == c.labels.end() || it->second != name) continue;
      s.containers.push_back({c.id, c.name, c.status, c.health, c.imageId});
      // The container's own config is the truth for a running stack (compose may have changed since).
      if (s.imageId.empty() || c.running) {
        s.imageId = c.imageId;
        s.env = c.env;
        s.command = c.cmd;
        if (!c.image.empty()) s.image = c.image;
      }
      if (auto role = c.labels.find(kRoleLabel); role != c.labels.end()) labelRole = role->second;
    }
    // Hook labels: the newest container's (the compose file's labels are on it), else the file's.
    const std::map<std::string, std::string>* hookLabels = &service.labels;
    std::string labelOwner = "service " + name;
    for (const auto& c : view.containers) {
      auto it = c.labels.find(kServiceLabel);
      if (it != c.labels.end() && it->second == name) {
        hookLabels = &c.labels;
        labelOwner = "container " + c.name;
        if (c.running) break;
      }
    }
    addHookLabels(*hookLabels, labelOwner, s.settings.hooks);
    std::map<std::string, std::string> env = envMap(s.env);
    std::vector<std::string> words = s.command;
    words.insert(words.end(), service.entrypoint.begin(), service.entrypoint.end());
    s.role = detectRole(s.image, env, words, service.agentchat.role, labelRole);

    for (const auto& mount : service.mounts) {
      if (mount.type == Mount::Type::Bind) {
        s.binds.push_back({mount.source, mount.target, mount.readOnly});
      } else if (mount.type == Mount::Type::Volume) {
        VolumeUse use{mount.source, {}, mount.target, mount.readOnly};
        if (auto it = stack.volumes.find(mount.source); it != stack.volumes.end()) {
          use.volumeName = it->second.name;
          it->second.mountedBy.emplace_back(name, mount.target);
        }
        s.volumes.push_back(use);
      }
    }
    stack.services.emplace(name, std::move(s));
  }
  return stack;
}

std::vector<std::string> startOrder(const Stack& stack) {
  std::vector<std::string> order;
  std::set<std::string> done, visiting;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (done.count(name) || visiting.count(name) || !stack.services.count(name)) return;
    visiting.insert(name);
    std::vector<std::string> deps = stack.services.at(name).dependsOn;
    std::sort(deps.begin(), deps.end());
    for (const auto& dep : deps) visit(dep);
    visiting.erase(name);
    done.insert(name);
    order.push_back(name);
  };
  for (const auto& [name, service] : stack.services) visit(name);
  return order;
}

}  // namespace compose
