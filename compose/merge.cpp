#include "compose/merge.hpp"

#include <string>

namespace compose {

namespace {

// environment / labels in list form ("K=V", "K") as a mapping.
YAML::Node asMap(const YAML::Node& node) {
  if (!node.IsSequence()) return YAML::Clone(node);
  YAML::Node map(YAML::NodeType::Map);
  for (const auto& item : node) {
    std::string entry = item.as<std::string>();
    auto eq = entry.find('=');
    if (eq == std::string::npos) {
      map[entry] = YAML::Node(YAML::NodeType::Null);
    } else {
      map[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  return map;
}

// depends_on in list form as a mapping of service -> {}.
YAML::Node dependsMap(const YAML::Node& node) {
  if (!node.IsSequence()) return YAML::Clone(node);
  YAML::Node map(YAML::NodeType::Map);
  for (const auto& item : node) map[item.as<std::string>()] = YAML::Node(YAML::NodeType::Map);
  return map;
}

std::string volumeTarget(const YAML::Node& entry) {
  if (entry.IsMap()) return entry["target"] ? entry["target"].as<std::string>() : std::string{};
  std::string text = entry.as<std::string>();
  auto first = text.find(':');
  if (first == std::string::npos) return text;
  auto second = text.find(':', first + 1);
  return text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
}

YAML::Node mergeMaps(const YAML::Node& base, const YAML::Node& overlay);

YAML::Node mergeVolumes(const YAML::Node& base, const YAML::Node& overlay) {
  YAML::Node out(YAML::NodeType::Sequence);
  for (const auto& entry : base) {
    bool replaced = false;
    for (const auto& over : overlay) replaced = replaced || volumeTarget(over) == volumeTarget(entry);
    if (!replaced) out.push_back(YAML::Clone(entry));
  }
  for (const auto& over : overlay) out.push_back(YAML::Clone(over));
  return out;
}

YAML::Node mergeService(const YAML::Node& base, const YAML::Node& overlay) {
  YAML::Node out = YAML::Clone(base);
  for (const auto& item : overlay) {
    std::string key = item.first.as<std::string>();
    const YAML::Node& value = item.second;
    if ((key == "environment" || key == "labels") && base[key]) {
      out[key] = mergeMaps(asMap(base[key]), asMap(value));
    } else if (key == "depends_on" && base[key]) {
      out[key] = mergeMaps(dependsMap(base[key]), dependsMap(value));
    } else if (key == "volumes" && base[key] && base[key].IsSequence() && value.IsSequence()) {
      out[key] = mergeVolumes(base[key], value);
    } else if (value.IsMap() && base[key] && base[key].IsMap()) {
      out[key] = mergeMaps(base[key], value);
    } else {
      out[key] = YAML::Clone(value);  // scalars, command, entrypoint, other lists: replaced
    }
  }
  return out;
}

YAML::Node mergeMaps(const YAML::Node& base, const YAML::Node& overlay) {
  YAML::Node out = YAML::Clone(base);
  for (const auto& item : overlay) {
    std::string key = item.first.as<std::string>();
    if (item.second.IsMap() && base[key] && base[key].IsMap()) {
      out[key] = mergeMaps(base[key], item.second);
    } else {
      out[key] = YAML::Clone(item.second);
    }
  }
  return out;
}

}  // namespace

YAML::Node mergeFiles(const YAML::Node& base, const YAML::Node& overlay) {
  YAML::Node out = YAML::Clone(base);
  for (const auto& item : overlay) {
    std::string key = item.first.as<std::string>();
    if (key == "services" && base["services"] && base["services"].IsMap() && item.second.IsMap()) {
      YAML::Node services = YAML::Clone(base["services"]);
      for (const auto& service : item.second) {
        std::string name = service.first.as<std::string>();
        services[name] = base["services"][name] && base["services"][name].IsMap() && service.second.IsMap()
                             ? mergeService(base["services"][name], service.second)
                             : YAML::Clone(service.second);
      }
      out["services"] = services;
    } else if (item.second.IsMap() && base[key] && base[key].IsMap()) {
      out[key] = mergeMaps(base[key], item.second);
    } else {
      out[key] = YAML::Clone(item.second);
    }
  }
  return out;
}

}  // namespace compose
