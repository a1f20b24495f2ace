#include "dockerapi/inspect_parse.hpp"

#include "dockerapi/health_state.hpp"
#include "dockerapi/json_fields.hpp"

namespace dockerapi {

using nlohmann::json;
using namespace json_fields;

namespace {
std::string trimSlash(std::string name) {
  return !name.empty() && name.front() == '/' ? name.substr(1) : name;
}
}  // namespace

VersionInfo versionInfoFrom(const json& v) {
  // MinAPIVersion: 1.12 on Engine 20.10, 1.24 on 25-28, 1.44 on 29 (which refuses 1.41-1.43).
  return VersionInfo{str(v, "Version"), str(v, "ApiVersion"), str(v, "MinAPIVersion"),
                     str(v, "Os"),      str(v, "Arch"),       str(v, "KernelVersion")};
}

std::vector<ContainerSummary> containerSummariesFrom(const json& list) {
  std::vector<ContainerSummary> out;
  if (!list.is_array()) return out;
  for (const json& c : list) {
    auto names = stringList(member(c, "Names"));
    // ImageID: the config digest on the classic store, the manifest or index digest on the
    // containerd store (1.48 adds ImageManifestDescriptor beside it; not needed here).
    out.push_back(ContainerSummary{str(c, "Id"), names.empty() ? std::string{} : trimSlash(names.front()),
                                   str(c, "Image"), str(c, "ImageID"), str(c, "State"),
                                   stringMap(member(c, "Labels"))});
  }
  return out;
}

ContainerInfo containerInfoFrom(json c) {
  ContainerInfo info;
  info.id = str(c, "Id");
  info.name = trimSlash(str(c, "Name"));
  info.imageId = str(c, "Image");
  const json& config = member(c, "Config");
  const json& state = member(c, "State");
  info.image = str(config, "Image");
  info.status = str(state, "Status");
  info.running = state.is_object() && state.value("Running", false);
  info.paused = state.is_object() && state.value("Paused", false);
  info.startedAt = str(state, "StartedAt");
  // State.Health exists only with a healthcheck; Config.Healthcheck's StartInterval (1.44) is not read.
  if (member(state, "Health").is_object()) info.health = str(state["Health"], "Status");
  info.healthState = parseHealthState(state);
  info.healthcheck = parseHealthcheck(config);
  info.labels = stringMap(member(config, "Labels"));
  info.env = stringList(member(config, "Env"));
  info.cmd = stringList(member(config, "Cmd"));  // null when only an entrypoint is set
  info.entrypoint = stringList(member(config, "Entrypoint"));
  info.user = str(config, "User");
  const json& mounts = member(c, "Mounts");
  if (mounts.is_array()) {
    for (const json& m : mounts) {
      info.mounts.push_back(MountPoint{str(m, "Type"), str(m, "Name"), str(m, "Source"),
                                       str(m, "Destination"), m.is_object() && !m.value("RW", true)});
    }
  }
  info.raw = std::move(c);
  return info;
}

VolumeInfo volumeInfoFrom(const json& v) {
  // Options is null for a volume created without driver options; 1.42 may add ClusterVolume.
  return VolumeInfo{str(v, "Name"),
                    str(v, "Driver"),
                    str(v, "Mountpoint"),
                    str(v, "Scope"),
                    stringMap(member(v, "Labels")),
                    stringMap(member(v, "Options"))};
}

ImageInfo imageInfoFrom(const json& image) {
  // Left alone: VirtualSize (gone in 1.44), Container/ContainerConfig (gone in 1.45, never sent by
  // the containerd store), Descriptor/Manifests (1.48, containerd store only).
  ImageInfo info;
  info.id = str(image, "Id");
  info.repoTags = stringList(member(image, "RepoTags"));
  info.repoDigests = stringList(member(image, "RepoDigests"));
  info.layers = stringList(member(member(image, "RootFS"), "Layers"));
  info.os = str(image, "Os");
  info.architecture = str(image, "Architecture");
  info.variant = str(image, "Variant");
  const json& volumes = member(member(image, "Config"), "Volumes");  // {"/path": {}} or null
  if (volumes.is_object()) {
    for (const auto& item : volumes.items()) info.volumes.push_back(item.key());
  }
  return info;
}

}  // namespace dockerapi
