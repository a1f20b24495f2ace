#include "compose/service_parser.hpp"

#include "compose/dotenv.hpp"
#include "compose/error.hpp"
#include "compose/loader.hpp"
#include "compose/settings_parser.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> words(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (!node || node.IsNull()) return {};
  if (node.IsScalar()) return shellSplit(node.Scalar());
  if (!node.IsSequence()) throw Error(file, lineOf(node), path, "must be a string or a list of strings");
  std::vector<std::string> out;
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

std::map<std::string, std::string> keyValues(const YAML::Node& node, const std::string& file,
                                             const std::string& path, const Lookup& lookup) {
  std::map<std::string, std::string> out;
  if (!node || node.IsNull()) return out;
  if (node.IsMap()) {
    for (const auto& item : node) {
      std::string key = item.first.as<std::string>();
      if (item.second.IsNull()) {
        if (auto value = lookup(key)) out[key] = *value;  // `KEY:` with no value: from the environment
      } else if (item.second.IsScalar()) {
        out[key] = item.second.Scalar();
      } else {
        throw Error(file, lineOf(item.second), path + "." + key, "must be a string, number or boolean");
      }
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      std::string entry = item.as<std::string>();
      auto eq = entry.find('=');
      if (eq != std::string::npos) {
        out[entry.substr(0, eq)] = entry.substr(eq + 1);
      } else if (auto value = lookup(entry)) {
        out[entry] = *value;
      }
    }
  } else {
    throw Error(file, lineOf(node), path, "must be a mapping or a list of KEY=VALUE");
  }
  return out;
}

std::string hostPath(const std::string& source, const fs::path& workingDir, const Lookup& lookup) {
  if (source == "~" || source.starts_with("~/")) {
    return (fs::path(lookup("HOME").value_or("/root")) / source.substr(source.size() > 1 ? 2 : 1))
        .lexically_normal()
        .string();
  }
  fs::path path(source);
  return (path.is_absolute() ? path : workingDir / path).lexically_normal().string();
}

bool isPath(const std::string& source) {
  return source.starts_with("/") || source.starts_with(".") || source.starts_with("~");
}

Mount parseMount(const YAML::Node& node, const std::string& file, const std::string& path,
                 const ParseContext& context) {
  Mount mount;
  if (node.IsScalar()) {
    std::string text = node.Scalar();
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
      std::size_t colon = text.find(':', start);
      parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    if (parts.size() == 1) {
      mount.target = parts[0];  // anonymous volume
      return mount;
    }
    if (parts.size() > 3) throw Error(file, lineOf(node), path, "invalid volume spec \"" + text + "\"");
    mount.source = parts[0];
    mount.target = parts[1];
    if (parts.size() == 3) {
      for (std::size_t at = 0; at <= parts[2].size();) {
        std::size_t comma = parts[2].find(',', at);
        std::string option = parts[2].substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (option == "ro") mount.readOnly = true;
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
    }
    mount.type = isPath(mount.source) ? Mount::Type::Bind : Mount::Type::Volume;
  } else if (node.IsMap()) {
    std::string type = node["type"] ? node["type"].as<std::string>() : "volume";
    if (type == "bind") {
      mount.type = Mount::Type::Bind;
    } else if (type == "tmpfs") {
      mount.type = Mount::Type::Tmpfs;
    } else if (type != "volume") {
      throw Error(file, lineOf(node["type"]), path + ".type", "unsupported mount type '" + type + "'");
    }
    mount.source = node["source"] ? node["source"].as<std::string>() : std::string{};
    if (!node["target"]) throw Error(file, lineOf(node), path, "a long-syntax volume needs a target");
    mount.target = node["target"].as<std::string>();
    mount.readOnly = node["read_only"] && node["read_only"].as<std::string>() == "true";
  } else {
    throw Error(file, lineOf(node), path, "must be a string or a mapping");
  }
  if (mount.type == Mount::Type::Bind)
    mount.source = hostPath(mount.source, context.workingDir, context.lookup);
  return mount;
}

Service parseService(const std::string& name, const YAML::Node& node, const std::string& file,
                     const ParseContext& context) {
  std::string base = "services." + name;
  if (!node.IsMap()) throw Error(file, lineOf(node), base, "must be a mapping");
  Service service;
  service.name = name;
  if (node["image"]) service.image = node["image"].as<std::string>();
  service.hasBuild = static_cast<bool>(node["build"]);
  service.command = words(node["command"], file, base + ".command");
  service.entrypoint = words(node["entrypoint"], file, base + ".entrypoint");
  if (const auto envFiles = node["env_file"]) {
    std::vector<YAML::Node> entries;
    if (envFiles.IsSequence()) {
      for (const auto& e : envFiles) entries.push_back(e);
    } else {
      entries.push_back(envFiles);
    }
    for (const auto& entry : entries) {
      std::string relative = entry.IsMap() ? entry["path"].as<std::string>() : entry.as<std::string>();
      bool required = !entry.IsMap() || !entry["required"] || entry["required"].as<std::string>() != "false";
      fs::path path = fs::path(relative).is_absolute() ? fs::path(relative) : context.workingDir / relative;
      auto text = readTextFile(path.string());
      if (!text) {
        if (required)
          throw Error(file, lineOf(entry), base + ".env_file", "env file " + path.string() + " not found");
        continue;
      }
      for (const auto& e : parseDotenv(*text, path.string(), context.lookup)) {
        if (e.value) {
          service.environment[e.key] = *e.value;
        } else if (auto value = context.lookup(e.key)) {
          service.environment[e.key] = *value;
        }
      }
    }
  }
  for (auto& [key, value] : keyValues(node["environment"], file, base + ".environment", context.lookup)) {
    service.environment[key] = value;
  }
  service.labels =
      keyValues(node["labels"], file, base + ".labels", [](const std::string&) { return std::nullopt; });
  if (const auto volumes = node["volumes"]) {
    if (!volumes.IsSequence()) throw Error(file, lineOf(volumes), base + ".volumes", "must be a list");
    for (std::size_t i = 0; i < volumes.size(); ++i) {
      service.mounts.push_back(
          parseMount(volumes[i], file, base + ".volumes[" + std::to_string(i) + "]", context));
    }
  }
  if (const auto depends = node["depends_on"]) {
    if (depends.IsSequence()) {
      for (const auto& d : depends) service.dependsOn.push_back(d.as<std::string>());
    } else if (depends.IsMap()) {
      for (const auto& d : depends) service.dependsOn.push_back(d.first.as<std::string>());
    }
  }
  if (const auto secrets = node["secrets"]) {
    if (!secrets.IsSequence()) throw Error(file, lineOf(secrets), base + ".secrets", "must be a list");
    for (const auto& entry : secrets) {
      SecretUse use;
      if (entry.IsMap()) {
        if (!entry["source"])
          throw Error(file, lineOf(entry), base + ".secrets", "a long-syntax secret needs a source");
        use.source = entry["source"].as<std::string>();
        use.target = entry["target"] ? entry["target"].as<std::string>() : use.source;
      } else {
        use.source = use.target = entry.as<std::string>();
      }
      service.secrets.push_back(use);
    }
  }
  if (node["container_name"]) service.containerName = node["container_name"].as<std::string>();
  service.agentchat = parseServiceSettings(node["x-agentchat"], file, name);
  return service;
}

}  // namespace

std::map<std::string, Service> parseServices(const YAML::Node& root, const std::string& file,
                                             const ParseContext& context) {
  std::map<std::string, Service> services;
  const auto node = root["services"];
  if (!node) return services;
  if (!node.IsMap()) throw Error(file, lineOf(node), "services", "must be a mapping of service names");
  for (const auto& item : node) {
    std::string name = item.first.as<std::string>();
    services.emplace(name, parseService(name, item.second, file, context));
  }
  return services;
}

std::map<std::string, Volume> parseVolumes(const YAML::Node& root, const std::string& file,
                                           const std::string& projectName) {
  std::map<std::string, Volume> volumes;
  const auto node = root["volumes"];
  if (!node || node.IsNull()) return volumes;
  if (!node.IsMap()) throw Error(file, lineOf(node), "volumes", "must be a mapping of volume names");
  for (const auto& item : node) {
    Volume volume;
    volume.key = item.first.as<std::string>();
    const YAML::Node& spec = item.second;
    std::string explicitName;
    if (spec.IsMap()) {
      if (spec["name"]) explicitName = spec["name"].as<std::string>();
      if (const auto external = spec["external"]) {
        if (external.IsMap()) {  // legacy `external: {name: x}`
          volume.external = true;
          if (external["name"]) explicitName = external["name"].as<std::string>();
        } else {
          volume.external = external.as<std::string>() == "true";
        }
      }
      if (spec["driver"]) volume.driver = spec["driver"].as<std::string>();
      volume.labels = keyValues(spec["labels"], file, "volumes." + volume.key + ".labels",
                                [](const std::string&) { return std::nullopt; });
    }
    if (!explicitName.empty()) {
      volume.name = explicitName;
    } else {
      volume.name = volume.external ? volume.key : projectName + "_" + volume.key;
    }
    volumes.emplace(volume.key, volume);
  }
  return volumes;
}

std::map<std::string, SecretSpec> parseSecrets(const YAML::Node& root, const std::string& file,
                                               const fs::path& workingDir) {
  std::map<std::string, SecretSpec> secrets;
  const auto node = root["secrets"];
  if (!node || node.IsNull()) return secrets;
  if (!node.IsMap()) throw Error(file, lineOf(node), "secrets", "must be a mapping of secret names");
  for (const auto& item : node) {
    SecretSpec secret;
    secret.key = item.first.as<std::string>();
    const YAML::Node& spec = item.second;
    std::string path = "secrets." + secret.key;
    if (!spec.IsMap())
      throw Error(file, lineOf(spec), path, "must be a mapping with file:, environment: or external:");
    if (spec["file"]) {
      fs::path source(spec["file"].as<std::string>());
      secret.file = (source.is_absolute() ? source : workingDir / source).lexically_normal().string();
    } else if (spec["environment"]) {
      secret.environment = spec["environment"].as<std::string>();
    } else if (spec["external"]) {
      secret.external = spec["external"].as<std::string>() == "true";
    } else {
      throw Error(file, lineOf(spec), path, "needs file:, environment: or external:");
    }
    secrets.emplace(secret.key, secret);
  }
  return secrets;
}

void applyShorthands(Project& project, const std::string& file) {
  for (const auto& [service, role] : project.agentchat.roles) {
    auto it = project.services.find(service);
    if (it == project.services.end()) throw Error(file, 0, "x-agentchat.roles." + service, "no such service");
    if (!it->second.agentchat.role) it->second.agentchat.role = role;
  }
  for (const auto& [service, paths] : project.agentchat.logs) {
    auto it = project.services.find(service);
    if (it == project.services.end()) throw Error(file, 0, "x-agentchat.logs." + service, "no such service");
    for (const auto& path : paths) {
      if (path.empty() || path[0] != '/') {
        throw Error(file, 0, "x-agentchat.logs." + service,
                    "'" + path + "' must be an absolute path in the container");
      }
      it->second.agentchat.logs.push_back(path);
    }
  }
}

void checkVolumeReferences(const Project& project, const std::string& file) {
  for (const auto& [name, service] : project.services) {
    for (const auto& mount : service.mounts) {
      if (mount.type == Mount::Type::Volume && !mount.source.empty() &&
          !project.volumes.count(mount.source)) {
        throw Error(file, 0, "services." + name + ".volumes",
                    "service \"" + name + "\" refers to undefined volume " + mount.source +
                        "; declare it under the top-level volumes:");
      }
    }
    for (const auto& use : service.secrets) {
      if (!project.secrets.count(use.source)) {
        throw Error(file, 0, "services." + name + ".secrets",
                    "service \"" + name + "\" refers to undefined secret " + use.source +
                        "; declare it under the top-level secrets:");
      }
    }
  }
}

}  // namespace compose
