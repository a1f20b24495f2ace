#include "compose/merge.hpp"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace compose {

namespace {

using Combine = std::function<YAML::Node(const YAML::Node& base, const YAML::Node& overlay)>;

// A mapping in which every key of `overlay` replaces (or, through `combine`, merges with) the same
// key of `base`. Each key is assigned exactly once to a fresh map, so neither input changes.
YAML::Node overlayMap(const YAML::Node& base, const YAML::Node& overlay, const Combine& combine) {
  YAML::Node out(YAML::NodeType::Map);
  std::set<std::string> overridden;
  for (const auto& item : overlay) overridden.insert(item.first.Scalar());
  for (const auto& item : base) {
    if (!overridden.count(item.first.Scalar())) out[item.first] = item.second;
  }
  for (const auto& item : overlay) {
    const std::string& key = item.first.Scalar();
    const YAML::Node previous = base[key];
    out[item.first] = previous ? combine(previous, item.second) : item.second;
  }
  return out;
}

YAML::Node deepMerge(const YAML::Node& base, const YAML::Node& overlay) {
  if (base.IsMap() && overlay.IsMap()) return overlayMap(base, overlay, deepMerge);
  return overlay;  // scalars and lists: the later file wins
}

// environment / labels in list form ("K=V", "K") as a mapping, so both forms merge by key.
YAML::Node asMap(const YAML::Node& node) {
  if (!node.IsSequence()) return node;
  YAML::Node map(YAML::NodeType::Map);
  for (const auto& item : node) {
    if (!item.IsScalar()) return node;  // malformed: left for the parser to report
    const std::string& entry = item.Scalar();
    auto eq = entry.find('=');
    if (eq == std::string::npos) {
      map[entry] = YAML::Node(YAML::NodeType::Null);
    } else {
      map[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  return map;
}

// depends_on in list form as a mapping of service -> {}, so list and map forms combine.
YAML::Node dependsMap(const YAML::Node& node) {
  if (!node.IsSequence()) return node;
  YAML::Node map(YAML::NodeType::Map);
  for (const auto& item : node) {
    if (!item.IsScalar()) return node;
    map[item.Scalar()] = YAML::Node(YAML::NodeType::Map);
  }
  return map;
}

// The container path a volume entry mounts at (short "src:dst[:mode]", "dst", or long form).
std::string volumeTarget(const YAML::Node& entry) {
  if (entry.IsMap()) return entry["target"] && entry["target"].IsScalar() ? entry["target"].Scalar() : "";
  if (!entry.IsScalar()) return {};
  const std::string& text = entry.Scalar();
  auto first = text.find(':');
  if (first == std::string::npos) return text;
  auto second = text.find(':', first + 1);
  return text.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
}

// Where a secret lands: its target, or its source when no target is given.
std::string secretTarget(const YAML::Node& entry) {
  if (entry.IsMap()) {
    if (entry["target"] && entry["target"].IsScalar()) return entry["target"].Scalar();
    return entry["source"] && entry["source"].IsScalar() ? entry["source"].Scalar() : "";
  }
  return entry.IsScalar() ? entry.Scalar() : "";
}

// Lists whose entries are identified by a key: the later entry with the same key replaces the
// earlier one in place; new entries are appended.
YAML::Node mergeByKey(const YAML::Node& base, const YAML::Node& overlay,
                      const std::function<std::string(const YAML::Node&)>& keyOf) {
  YAML::Node out(YAML::NodeType::Sequence);
  std::vector<bool> used(overlay.size(), false);
  for (const auto& entry : base) {
    YAML::Node chosen = entry;
    for (std::size_t i = 0; i < overlay.size(); ++i) {
      if (!used[i] && keyOf(overlay[i]) == keyOf(entry)) {
        chosen = overlay[i];
        used[i] = true;
      }
    }
    out.push_back(chosen);
  }
  for (std::size_t i = 0; i < overlay.size(); ++i) {
    if (!used[i]) out.push_back(overlay[i]);
  }
  return out;
}

YAML::Node asList(const YAML::Node& node) {
  if (node.IsSequence()) return node;
  YAML::Node list(YAML::NodeType::Sequence);
  list.push_back(node);
  return list;
}

YAML::Node mergeServiceKey(const std::string& key, const YAML::Node& base, const YAML::Node& overlay) {
  if (key == "environment" || key == "labels") {
    YAML::Node b = asMap(base), o = asMap(overlay);
    if (b.IsMap() && o.IsMap()) return overlayMap(b, o, deepMerge);
  } else if (key == "depends_on") {
    YAML::Node b = dependsMap(base), o = dependsMap(overlay);
    if (b.IsMap() && o.IsMap()) return overlayMap(b, o, deepMerge);
  } else if (key == "volumes" && base.IsSequence() && overlay.IsSequence()) {
    return mergeByKey(base, overlay, volumeTarget);
  } else if (key == "secrets" && base.IsSequence() && overlay.IsSequence()) {
    return mergeByKey(base, overlay, secretTarget);
  } else if (key == "env_file" && !base.IsMap() && !overlay.IsMap()) {
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& e : asList(base)) out.push_back(e);
    for (const auto& e : asList(overlay)) out.push_back(e);
    return out;
  }
  // command, entrypoint, image and other scalars or lists: replaced; other mappings: merged.
  return deepMerge(base, overlay);
}

YAML::Node mergeService(const YAML::Node& base, const YAML::Node& overlay) {
  if (!base.IsMap() || !overlay.IsMap()) return overlay;
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& item : base) {
    if (!overlay[item.first.Scalar()]) out[item.first] = item.second;
  }
  for (const auto& item : overlay) {
    const std::string& key = item.first.Scalar();
    const YAML::Node previous = base[key];
    out[item.first] = previous ? mergeServiceKey(key, previous, item.second) : item.second;
  }
  return out;
}

}  // namespace

YAML::Node mergeFiles(const YAML::Node& base, const YAML::Node& overlay) {
  if (!base || !base.IsMap() || !overlay.IsMap()) return overlay;
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& item : base) {
    if (!overlay[item.first.Scalar()]) out[item.first] = item.second;
  }
  for (const auto& item : overlay) {
    const std::string& key = item.first.Scalar();
    const YAML::Node previous = base[key];
    if (!previous) {
      out[item.first] = item.second;
    } else if (key == "services" && previous.IsMap() && item.second.IsMap()) {
      out[item.first] = overlayMap(previous, item.second, mergeService);
    } else {
      out[item.first] = deepMerge(previous, item.second);  // volumes, secrets, x-agentchat, name, ...
    }
  }
  return out;
}

}  // namespace compose
