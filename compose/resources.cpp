#include "compose/resources.hpp"

#include "compose/error.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace fs = std::filesystem;

namespace {

// `external: true`, or the legacy `external: {name: x}` (which also names the volume).
bool externalFlag(const YAML::Node& node, const std::string& file, const std::string& path,
                  std::string& legacyName) {
  if (node.IsMap()) {
    if (node["name"]) legacyName = scalarText(node["name"], file, path + ".name");
    return true;
  }
  return booleanOf(node, file, path);
}

std::map<std::string, std::string> labelMap(const YAML::Node& node, const std::string& file,
                                            const std::string& path) {
  std::map<std::string, std::string> out;
  if (!node || node.IsNull()) return out;
  if (node.IsMap()) {
    for (const auto& item : node) {
      out[scalarText(item.first, file, path)] =
          item.second.IsNull() ? "" : scalarText(item.second, file, path);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      std::string entry = scalarText(item, file, path);
      auto eq = entry.find('=');
      out[entry.substr(0, eq)] = eq == std::string::npos ? "" : entry.substr(eq + 1);
    }
  } else {
    throw Error(file, lineOf(node), path, "must be a mapping or a list of KEY=VALUE");
  }
  return out;
}

}  // namespace

std::map<std::string, Volume> parseVolumes(const YAML::Node& root, const std::string& file,
                                           const std::string& projectName) {
  std::map<std::string, Volume> volumes;
  const auto node = root["volumes"];
  if (!node || node.IsNull()) return volumes;
  if (!node.IsMap()) throw Error(file, lineOf(node), "volumes", "must be a mapping of volume names");
  for (const auto& item : node) {
    Volume volume;
    volume.key = scalarText(item.first, file, "volumes");
    const std::string path = "volumes." + volume.key;
    const YAML::Node& spec = item.second;
    std::string explicitName;
    if (spec.IsMap()) {
      if (spec["name"]) explicitName = scalarText(spec["name"], file, path + ".name");
      if (spec["external"])
        volume.external = externalFlag(spec["external"], file, path + ".external", explicitName);
      if (spec["driver"]) volume.driver = scalarText(spec["driver"], file, path + ".driver");
      volume.labels = labelMap(spec["labels"], file, path + ".labels");
    } else if (!spec.IsNull()) {
      throw Error(file, lineOf(spec), path, "must be a mapping (or empty)");
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
    secret.key = scalarText(item.first, file, "secrets");
    const YAML::Node& spec = item.second;
    const std::string path = "secrets." + secret.key;
    if (!spec.IsMap())
      throw Error(file, lineOf(spec), path, "must be a mapping with file:, environment: or external:");
    if (spec["file"]) {
      std::string source = scalarText(spec["file"], file, path + ".file");
      fs::path p(source);
      secret.file = (p.is_absolute() ? p : workingDir / p).lexically_normal().string();
    } else if (spec["environment"]) {
      secret.environment = scalarText(spec["environment"], file, path + ".environment");
    } else if (spec["external"]) {
      std::string ignored;
      secret.external = externalFlag(spec["external"], file, path + ".external", ignored);
    } else {
      throw Error(file, lineOf(spec), path, "needs file:, environment: or external:");
    }
    secrets.emplace(secret.key, secret);
  }
  return secrets;
}

}  // namespace compose
