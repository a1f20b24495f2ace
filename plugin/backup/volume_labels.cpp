#include "plugin/backup/volume_labels.hpp"

#include "compose/stack.hpp"

namespace agentchat {

namespace {
// Compose's own namespace: everything under it is written by compose, per engine and per
// compose release. A copied com.docker.compose.config-hash that differs from what the target's
// compose computes makes `docker compose up` offer to recreate the volume, deleting its data
// (and with -y it does not ask).
constexpr const char* kComposePrefix = "com.docker.compose.";
}  // namespace

std::map<std::string, std::string> newVolumeLabels(const std::map<std::string, std::string>& known,
                                                   const std::string& projectName,
                                                   const std::string& volumeKey) {
  std::map<std::string, std::string> labels;
  for (const auto& [key, value] : known) {
    if (key.rfind(kComposePrefix, 0) != 0) labels[key] = value;
  }
  // Compose v2 warns "volume ... already exists but was not created by Docker Compose" only when the
  // project label is missing (v2.32 ensureVolume; v5 warnUnmanagedVolumes: ProjectName == ""), and
  // finds the volume by the volume-key label. It compares config-hash only when one is present, so
  // a volume without one is adopted untouched. com.docker.compose.version plays no part: omitted.
  labels[compose::kProjectLabel] = projectName;
  labels[compose::kVolumeLabel] = volumeKey;
  return labels;
}

}  // namespace agentchat
