#include "compose/service_parser.hpp"

#include "compose/dotenv.hpp"
#include "compose/error.hpp"
#include "compose/settings_parser.hpp"
#include "compose/shell_split.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace fs = std::filesystem;

namespace {

std::string indexed(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

// command / entrypoint: a string is split as a shell would; a list is taken as it is.
std::vector<std::string> words(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (!node || node.IsNull()) return {};
  if (node.IsScalar()) return shellSplit(node.Scalar());
  if (!node.IsSequence()) throw Error(file, lineOf(node), path, "must be a string or a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) out.push_back(scalarText(node[i], file, indexed(path, i)));
  return out;
}

// environment / labels: a mapping, or a list of KEY=VALUE. A key without a value is looked up with
// `bare` (environment: from the project environment, dropped when unset; labels: empty).
std::map<std::string, std::string> keyValues(
    const YAML::Node& node, const std::string& file, const std::string& path,
    const std::function<std::optional<std::string>(const std::string&)>& bare) {
  std::map<std::string, std::string> out;
  if (!node || node.IsNull()) return out;
  if (node.IsMap()) {
    for (const auto& item : node) {
      std::string key = scalarText(item.first, file, path);
      if (item.second.IsNull()) {
        if (auto value = bare(key)) out[key] = *value;
      } else if (item.second.IsScalar()) {
        out[key] = item.second.Scalar();
      } else {
        throw Error(file, lineOf(item.second), path + "." + key, "must be a string, number or boolean");
      }
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      std::string entry = scalarText(node[i], file, indexed(path, i));
      auto eq = entry.find('=');
      if (eq == 0) throw Error(file, lineOf(node[i]), indexed(path, i), "'" + entry + "' has no name");
      if (eq != std::string::npos) {
        out[entry.substr(0, eq)] = entry.substr(eq + 1);
      } else if (auto value = bare(entry)) {
        out[entry] = *value;
      }
    }
  } else {
    throw Error(file, lineOf(node), path, "must be a mapping or a list of KEY=VALUE");
  }
  return out;
}

// A host path as compose resolves it: `~` is the user's home, relative paths start at the project
// directory.
std::string hostPath(const std::string& source, const fs::path& workingDir, const Lookup& lookup) {
  fs::path path;
  if (source == "~" || source.starts_with("~/")) {
    fs::path home(lookup("HOME").value_or("/root"));
    path = source == "~" ? home : home / source.substr(2);
  } else {
    path = fs::path(source).is_absolute() ? fs::path(source) : workingDir / source;
  }
  path = path.lexically_normal();
  // "./" and "dir/" normalise to a trailing separator; the engine and our archives want none.
  if (!path.has_filename() && path != path.root_path()) path = path.parent_path();
  return path.string();
}

// Short syntax: a source that looks like a path is a bind mount; anything else names a volume.
bool isPath(const std::string& source) {
  return source.starts_with("/") || source.starts_with(".") || source.starts_with("~");
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

void readEnvFiles(const YAML::Node& node, const std::string& file, const std::string& path,
                  const ParseContext& context, std::map<std::string, std::string>& environment) {
  std::vector<YAML::Node> entries;
  if (node.IsSequence()) {
    for (const auto& e : node) entries.push_back(e);
  } else {
    entries.push_back(node);
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const YAML::Node& entry = entries[i];
    std::string where = node.IsSequence() ? indexed(path, i) : path;
    std::string relative;
    bool required = true;
    if (entry.IsMap()) {
      if (!entry["path"]) throw Error(file, lineOf(entry), where, "a long-syntax env_file needs a path");
      relative = scalarText(entry["path"], file, where + ".path");
      if (entry["required"]) required = booleanOf(entry["required"], file, where + ".required");
    } else {
      relative = scalarText(entry, file, where);
    }
    fs::path envPath = hostPath(relative, context.workingDir, context.lookup);
    auto text = readTextFile(envPath.string());
    if (!text) {
      if (required) throw Error(file, lineOf(entry), where, "env file " + envPath.string() + " not found");
      continue;
    }
    // Later files and lines win; a bare KEY takes the value from the environment, if any.
    for (const auto& e : parseDotenv(*text, envPath.string(), context.lookup)) {
      if (e.value) {
        environment[e.key] = *e.value;
      } else if (auto value = context.lookup(e.key)) {
        environment[e.key] = *value;
      }
    }
  }
}

std::vector<std::string> dependencies(const YAML::Node& node, const std::string& file,
                                      const std::string& path) {
  std::vector<std::string> out;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) out.push_back(scalarText(node[i], file, indexed(path, i)));
  } else if (node.IsMap()) {
    for (const auto& d : node) out.push_back(scalarText(d.first, file, path));
  } else if (!node.IsNull()) {
    throw Error(file, lineOf(node), path,
                "must be a list of services or a mapping of services to conditions");
  }
  return out;
}

std::vector<SecretUse> secretUses(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (!node.IsSequence()) throw Error(file, lineOf(node), path, "must be a list");
  std::vector<SecretUse> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& entry = node[i];
    SecretUse use;
    if (entry.IsMap()) {
      if (!entry["source"])
        throw Error(file, lineOf(entry), indexed(path, i), "a long-syntax secret needs a source");
      use.source = scalarText(entry["source"], file, indexed(path, i) + ".source");
      use.target =
          entry["target"] ? scalarText(entry["target"], file, indexed(path, i) + ".target") : use.source;
    } else {
      use.source = use.target = scalarText(entry, file, indexed(path, i));
    }
    out.push_back(use);
  }
  return out;
}

Service parseService(const std::string& name, const YAML::Node& node, const std::string& file,
                     const ParseContext& context) {
  const std::string base = "services." + name;
  if (!node.IsMap()) throw Error(file, lineOf(node), base, "must be a mapping");
  Service service;
  service.name = name;
  if (node["image"]) service.image = scalarText(node["image"], file, base + ".image");
  service.hasBuild = node["build"] && !node["build"].IsNull();
  service.command = words(node["command"], file, base + ".command");
  service.entrypoint = words(node["entrypoint"], file, base + ".entrypoint");
  // env_file first, then environment: on the same key, environment wins (as in compose).
  if (const auto envFiles = node["env_file"])
    readEnvFiles(envFiles, file, base + ".env_file", context, service.environment);
  for (auto& [key, value] : keyValues(node["environment"], file, base + ".environment", context.lookup)) {
    service.environment[key] = value;
  }
  service.labels = keyValues(node["labels"], file, base + ".labels",
                             [](const std::string&) { return std::optional<std::string>(""); });
  if (const auto volumes = node["volumes"]) {
    if (!volumes.IsSequence()) throw Error(file, lineOf(volumes), base + ".volumes", "must be a list");
    for (std::size_t i = 0; i < volumes.size(); ++i) {
      service.mounts.push_back(parseMount(volumes[i], file, indexed(base + ".volumes", i), context));
    }
  }
  if (const auto depends = node["depends_on"])
    service.dependsOn = dependencies(depends, file, base + ".depends_on");
  if (const auto secrets = node["secrets"]) service.secrets = secretUses(secrets, file, base + ".secrets");
  if (node["container_name"]) {
    service.containerName = scalarText(node["container_name"], file, base + ".container_name");
  }
  if (const auto profiles = node["profiles"]; profiles && !profiles.IsNull()) {
    if (!profiles.IsSequence())
      throw Error(file, lineOf(profiles), base + ".profiles", "must be a list of profile names");
    for (std::size_t i = 0; i < profiles.size(); ++i)
      service.profiles.push_back(scalarText(profiles[i], file, indexed(base + ".profiles", i)));
  }
  service.agentchat = parseServiceSettings(node["x-agentchat"], file, name);
  return service;
}

}  // namespace

Mount parseMount(const YAML::Node& node, const std::string& file, const std::string& path,
                 const ParseContext& context) {
  Mount mount;
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    std::vector<std::string> parts = split(text, ':');
    if (parts.size() > 3 || parts[0].empty() || (parts.size() > 1 && parts[1].empty())) {
      throw Error(file, lineOf(node), path,
                  "invalid volume \"" + text + "\" (expected SOURCE:TARGET[:ro|rw])");
    }
    if (parts.size() == 1) {
      mount.target = parts[0];  // anonymous volume
    } else {
      mount.source = parts[0];
      mount.target = parts[1];
      mount.type = isPath(mount.source) ? Mount::Type::Bind : Mount::Type::Volume;
    }
    if (parts.size() == 3) {
      // Options like "ro,z" or "rw,nocopy": only read-only matters to us.
      for (const auto& option : split(parts[2], ',')) mount.readOnly = mount.readOnly || option == "ro";
    }
  } else if (node.IsMap()) {
    std::string type = node["type"] ? scalarText(node["type"], file, path + ".type") : "volume";
    if (type == "bind") {
      mount.type = Mount::Type::Bind;
    } else if (type == "tmpfs") {
      mount.type = Mount::Type::Tmpfs;
    } else if (type != "volume") {
      throw Error(file, lineOf(node["type"]), path + ".type",
                  "unsupported mount type '" + type + "' (volume, bind or tmpfs)");
    }
    if (node["source"]) mount.source = scalarText(node["source"], file, path + ".source");
    if (!node["target"]) throw Error(file, lineOf(node), path, "a long-syntax volume needs a target");
    mount.target = scalarText(node["target"], file, path + ".target");
    if (node["read_only"]) mount.readOnly = booleanOf(node["read_only"], file, path + ".read_only");
    if (mount.type == Mount::Type::Bind && mount.source.empty()) {
      throw Error(file, lineOf(node), path, "a bind mount needs a source");
    }
  } else {
    throw Error(file, lineOf(node), path, "must be a string or a mapping");
  }
  if (!mount.target.starts_with("/")) {
    throw Error(file, lineOf(node), path,
                "the target \"" + mount.target + "\" must be an absolute path in the container");
  }
  if (mount.type == Mount::Type::Bind)
    mount.source = hostPath(mount.source, context.workingDir, context.lookup);
  return mount;
}

std::map<std::string, Service> parseServices(const YAML::Node& root, const std::string& file,
                                             const ParseContext& context) {
  std::map<std::string, Service> services;
  const auto node = root["services"];
  if (!node || node.IsNull()) return services;
  if (!node.IsMap()) throw Error(file, lineOf(node), "services", "must be a mapping of service names");
  for (const auto& item : node) {
    std::string name = scalarText(item.first, file, "services");
    services.emplace(name, parseService(name, item.second, file, context));
  }
  return services;
}

}  // namespace compose
